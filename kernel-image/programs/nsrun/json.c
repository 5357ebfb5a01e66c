#include "json.h"
#include "error.h"

#include <string.h>

/* yajl_gen reports only misuse (unbalanced maps, keys out of place): a bug
 * here, not bad input, so any status but ok stops the program. */
static void check(yajl_gen_status s)
{
	if (s != yajl_gen_status_ok)
		die("internal error: yajl_gen status %d", (int)s);
}

yajl_gen json_new(void)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	if (!g)
		die("out of memory");
	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_config(g, yajl_gen_indent_string, "\t");
	return g;
}

void json_map_open(yajl_gen g)
{
	check(yajl_gen_map_open(g));
}

void json_map_close(yajl_gen g)
{
	check(yajl_gen_map_close(g));
}

void json_array_open(yajl_gen g)
{
	check(yajl_gen_array_open(g));
}

void json_array_close(yajl_gen g)
{
	check(yajl_gen_array_close(g));
}

void json_int(yajl_gen g, long long value)
{
	check(yajl_gen_integer(g, value));
}

void json_string(yajl_gen g, const char *s)
{
	check(yajl_gen_string(g, (const unsigned char *)s, strlen(s)));
}

void json_key_string(yajl_gen g, const char *key, const char *value)
{
	json_string(g, key);
	json_string(g, value ? value : "");
}

void json_key_int(yajl_gen g, const char *key, long long value)
{
	json_string(g, key);
	check(yajl_gen_integer(g, value));
}

void json_key_bool(yajl_gen g, const char *key, bool value)
{
	json_string(g, key);
	check(yajl_gen_bool(g, value));
}

void json_key_strings(yajl_gen g, const char *key, const char *const *values)
{
	json_string(g, key);
	check(yajl_gen_array_open(g));
	for (size_t i = 0; values[i]; i++)
		json_string(g, values[i]);
	check(yajl_gen_array_close(g));
}

const char *json_finish(yajl_gen g, size_t *len)
{
	const unsigned char *buf;
	size_t n;
	check(yajl_gen_get_buf(g, &buf, &n));
	*len = n;
	return (const char *)buf;
}
