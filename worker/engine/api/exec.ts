// /exec: a second process in a running container's namespaces and cgroup (nsrun exec).
import type { ProcessIO } from "../../link/agent-api.ts";
import type { Engine } from "../engine.ts";
import { badRequest, conflict, noSuchExec } from "../errors.ts";
import { randomId } from "../containers/names.ts";
import { bool, json, jsonBody, type Router } from "../router.ts";
import { frame, MULTIPLEXED, RAW } from "../streams.ts";

interface ExecInstance {
  id: string;
  containerId: string;
  cmd: string[];
  env: string[];
  workingDir: string;
  user: string;
  tty: boolean;
  attachStdin: boolean;
  attachStdout: boolean;
  attachStderr: boolean;
  running: boolean;
  exitCode: number | null;
  pid: number;
  io?: ProcessIO;
}

export function execRoutes(r: Router, e: Engine): void {
  const execs = new Map<string, ExecInstance>();

  r.on("POST", "/containers/{id}/exec", async (req) => {
    const c = e.containers.get(req.params.id);
    if (c.state.Restarting) throw conflict(`Container ${c.id} is restarting, wait until the container is running`);
    if (!c.state.Running) throw conflict(`Container ${c.id} is not running`);
    if (c.state.Paused) throw conflict(`Container ${req.params.id} is paused, unpause the container before exec`);
    const b = await jsonBody<{ Cmd?: string[]; Env?: string[]; WorkingDir?: string; User?: string; Tty?: boolean; AttachStdin?: boolean; AttachStdout?: boolean; AttachStderr?: boolean }>(req);
    if (!b.Cmd?.length) throw badRequest("No exec command specified");
    const x: ExecInstance = {
      id: randomId(), containerId: c.id, cmd: b.Cmd, env: b.Env ?? [], workingDir: b.WorkingDir ?? "", user: b.User ?? "", tty: !!b.Tty,
      attachStdin: !!b.AttachStdin, attachStdout: b.AttachStdout !== false, attachStderr: b.AttachStderr !== false, running: false, exitCode: null, pid: 0,
    };
    execs.set(x.id, x);
    e.events.emit("container", `exec_create: ${b.Cmd.join(" ")}`, c.id, { image: c.image, name: c.name, execID: x.id });
    return json(201, { Id: x.id });
  });

  r.on("POST", "/exec/{id}/start", async (req) => {
    const x = execs.get(req.params.id);
    if (!x) throw noSuchExec(req.params.id);
    if (x.running || x.exitCode !== null) throw conflict(`Error: Exec command ${x.id} has already run`);
    const b = await jsonBody<{ Detach?: boolean; Tty?: boolean }>(req);
    const c = e.containers.get(x.containerId);
    if (c.state.Restarting) throw conflict(`Container ${c.id} is restarting, wait until the container is running`);
    if (!c.state.Running) throw conflict(`Container ${c.id} is not running`);
    const user = x.user || c.config.User || "";
    const started = await e.agent().exec({
      containerId: c.id, execId: x.id, args: x.cmd, env: [...(c.config.Env ?? []), ...x.env], cwd: x.workingDir || c.config.WorkingDir || undefined,
      user: user || undefined, tty: x.tty, openStdin: x.attachStdin,
    });
    x.running = true;
    x.pid = started.pid;
    x.io = started.io;
    const exited = started.io.exited.then((info) => {
      x.running = false;
      x.exitCode = info.status;
      e.events.emit("container", "exec_die", c.id, { image: c.image, name: c.name, execID: x.id, exitCode: String(info.status) });
    });
    e.events.emit("container", `exec_start: ${x.cmd.join(" ")}`, c.id, { image: c.image, name: c.name, execID: x.id });
    if (b.Detach) return { status: 200, headers: { "Content-Type": "application/json" }, body: "" };
    const io = started.io;
    return {
      contentType: x.tty ? RAW : MULTIPLEXED,
      hijack: async (conn) => {
        io.onOutput((stream, data) => {
          if ((stream === 1 && !x.attachStdout) || (stream === 2 && !x.attachStderr)) return;
          void conn.write(x.tty ? data : frame(stream, data)).catch(() => {});
        });
        if (x.attachStdin) {
          // A client that vanishes mid-stream just ends its stdin.
        void (async () => {
            for (;;) {
              const d = await conn.read();
              if (d === null) return io.closeStdin();
              io.writeStdin(d);
            }
          })().catch(() => io.closeStdin());
        }
        await exited;
        conn.close();
      },
    };
  });

  r.on("POST", "/exec/{id}/resize", async (req) => {
    const x = execs.get(req.params.id);
    if (!x) throw noSuchExec(req.params.id);
    const h = Number(req.query.get("h"));
    const w = Number(req.query.get("w"));
    if (x.io && h > 0 && w > 0) x.io.resize(h, w);
    return { status: 201 };
  });

  r.on("GET", "/exec/{id}/json", async (req) => {
    const x = execs.get(req.params.id);
    if (!x) throw noSuchExec(req.params.id);
    return json(200, {
      CanRemove: false, ContainerID: x.containerId, DetachKeys: "", ExitCode: x.exitCode, ID: x.id, OpenStderr: x.attachStderr, OpenStdin: x.attachStdin,
      OpenStdout: x.attachStdout, Running: x.running, Pid: x.pid,
      ProcessConfig: { arguments: x.cmd.slice(1), entrypoint: x.cmd[0], privileged: false, tty: x.tty, user: x.user },
    });
  });

  void bool;
}
