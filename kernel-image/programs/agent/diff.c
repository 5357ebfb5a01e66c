/* diff: a container's overlay upper dir as an OCI layer tar, streamed as
 * DATA on the call's stream. The upper dir is the container's changes:
 *   a char device 0:0 (overlay whiteout)    -> .wh.NAME, an empty file
 *   a dir with trusted.overlay.opaque=y     -> the dir, then DIR/.wh..wh..opq
 * Overlay's xattrs (trusted.overlay.*) are its bookkeeping and are not
 * written. A child walks the tree (tar_tree.c) and writes the tar into a
 * pipe that goes onto the stream as credit allows (child_stream.c). The
 * upper dir needs no mount: it is there whether the container runs or not. */
#include "agent.h"
#include "tar_writer.h"

#include <stdio.h>
#include <sys/stat.h>

static int write_layer(int fd, int res_fd, void *arg)
{
	(void)res_fd;
	static struct tar_writer tw;
	tw_init(&tw, fd);
	if (tw_tree(&tw, arg, "", true) < 0)
		return -1;
	return tw_finish(&tw);
}

void call_diff(struct stream *s, yajl_val p)
{
	const char *id = json_get_str(p, "id");
	char upper[512];
	struct stat st;
	if (!valid_name(id)) {
		fail("diff: not a valid id");
		return stream_reply_done(s, -1);
	}
	snprintf(upper, sizeof upper, STATE_DIR "/containers/%s/upper", id);
	if (stat(upper, &st) < 0) {
		fail_errno("diff: no files for container %s: stat %s", id, upper);
		return stream_reply_done(s, -1);
	}
	if (child_stream_start(s, false, write_layer, upper) < 0)
		stream_reply_done(s, -1);
}
