/* Writing JSON (the state, `nsrun spec`) with yajl's generator; reading is
 * yajl_tree, in config.c and state_dir.c. */
#ifndef NSRUN_JSON_H
#define NSRUN_JSON_H

#include <stdbool.h>
#include <yajl/yajl_gen.h>

yajl_gen json_new(void); /* pretty-printed, tab-indented like crun's */
void json_map_open(yajl_gen g);
void json_map_close(yajl_gen g);
void json_array_open(yajl_gen g);
void json_array_close(yajl_gen g);
void json_int(yajl_gen g, long long value);
void json_string(yajl_gen g, const char *s);
void json_key_string(yajl_gen g, const char *key, const char *value);
void json_key_int(yajl_gen g, const char *key, long long value);
void json_key_bool(yajl_gen g, const char *key, bool value);
void json_key_strings(yajl_gen g, const char *key, const char *const *values); /* NULL-terminated */
/* The finished document (with a trailing newline), owned by g. */
const char *json_finish(yajl_gen g, size_t *len);

#endif
