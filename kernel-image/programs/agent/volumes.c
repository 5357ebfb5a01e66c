/* Named volumes: a directory each, /var/lib/slipway/volumes/<name>/_data as
 * Docker lays them out; the daemon bind-mounts the mountpoint into containers. */
#include "agent.h"

#include <stdio.h>

void call_create_volume(struct stream *s, yajl_val p)
{
	const char *name = json_get_str(p, "name");
	char dir[512];
	if (!valid_name(name)) {
		stream_reply_error(s, "createVolume: not a valid volume name");
	} else {
		snprintf(dir, sizeof dir, STATE_DIR "/volumes/%s/_data", name);
		if (mkdir_p(dir, 0755) < 0) {
			stream_reply_error(s, errbuf);
		} else {
			struct buf b = { 0 };
			buf_printf(&b, "{\"mountpoint\":");
			buf_json_str(&b, dir);
			buf_printf(&b, "}");
			stream_reply(s, buf_cstr(&b));
			buf_free(&b);
		}
	}
	stream_end(s);
}

void call_remove_volume(struct stream *s, yajl_val p)
{
	const char *name = json_get_str(p, "name");
	char dir[512];
	if (!valid_name(name))
		return stream_reply_done(s, fail("removeVolume: not a valid volume name"));
	snprintf(dir, sizeof dir, STATE_DIR "/volumes/%s", name);
	stream_reply_done(s, rm_rf(dir));
}
