// The Editor's workspace: /root/work in the guest is a symlink to /mnt/host/work, the 9p
// share, whose files live in v86's own filesystem object (fs9p) in this worker. Reading and
// writing that object is reading and writing what the guest's shell sees (the guest mounts
// the share without a cache). v86 does not tell when the guest writes, and its 9p writes do
// not touch mtime, so changes are found by polling a cheap digest of the tree.

/** The parts of v86's lib/filesystem.js FS this module uses. */
interface Fs9p {
  SearchPath(path: string): { id: number; parentid: number; name: string };
  GetInode(id: number): Fs9pInode;
  IsDirectory(id: number): boolean;
  CreateDirectory(name: string, parentId: number): number;
  CreateBinaryFile(name: string, parentId: number, data: Uint8Array): Promise<number>;
  Read(id: number, offset: number, count: number): Promise<Uint8Array | null>;
  ChangeSize(id: number, size: number): Promise<void>;
  Write(id: number, offset: number, count: number, data: Uint8Array): Promise<void>;
  Unlink(parentId: number, name: string): number;
}

interface Fs9pInode {
  direntries: Map<string, number>;
  mode: number;
  size: number;
  mtime: number;
}

export interface WorkspaceEntry {
  /** Relative to the workspace, "/"-separated, e.g. "app/main.py". */
  path: string;
  kind: "file" | "dir";
  size: number;
}

/** The workspace's folder on the share (the share's root is /mnt/host in the guest). */
export const WORKSPACE_DIR = "work";
/** Files larger than this are listed but neither digested nor persisted. */
export const MAX_FILE_BYTES = 1 << 20;

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;

export class WorkspaceFs {
  constructor(private readonly fs: Fs9p) {}

  static of(emulator: unknown): WorkspaceFs {
    const fs = (emulator as { fs9p?: Fs9p }).fs9p;
    if (!fs) throw new Error("the guest has no 9p share");
    return new WorkspaceFs(fs);
  }

  /** Every file and folder under the workspace, folders before their contents, sorted by path. */
  list(): WorkspaceEntry[] {
    const root = this.dirId("");
    const out: WorkspaceEntry[] = [];
    const walk = (id: number, prefix: string) => {
      const names = [...this.fs.GetInode(id).direntries.keys()].filter((n) => n !== "." && n !== "..").sort();
      for (const name of names) {
        const child = this.fs.GetInode(id).direntries.get(name)!;
        const inode = this.fs.GetInode(child);
        const path = prefix + name;
        const type = inode.mode & S_IFMT;
        if (type === S_IFDIR) {
          out.push({ path, kind: "dir", size: 0 });
          walk(child, path + "/");
        } else if (type === S_IFREG) {
          out.push({ path, kind: "file", size: inode.size });
        }
      }
    };
    walk(root, "");
    return out;
  }

  async read(path: string): Promise<Uint8Array> {
    const { id } = this.fs.SearchPath(this.full(path));
    if (id < 0 || this.fs.IsDirectory(id)) throw new Error(`${path}: no such file in the workspace`);
    const inode = this.fs.GetInode(id);
    const data = await this.fs.Read(id, 0, inode.size);
    // A copy: v86 keeps writing into its own buffer.
    return data ? data.slice(0, inode.size) : new Uint8Array(0);
  }

  /** Creates the folder and those on its way; returns its inode id. */
  mkdir(path: string): number {
    let dir = this.dirId("");
    for (const part of this.split(path)) {
      const found = this.fs.GetInode(dir).direntries.get(part);
      if (found === undefined) dir = this.fs.CreateDirectory(part, dir);
      else if (this.fs.IsDirectory(found)) dir = found;
      else throw new Error(`${path}: ${part} is a file, not a folder`);
    }
    return dir;
  }

  /** Creates or replaces the file (and the folders on its way). */
  async write(path: string, bytes: Uint8Array): Promise<void> {
    const parts = this.split(path);
    const name = parts.pop();
    if (!name) throw new Error("a file needs a name");
    const dir = this.mkdir(parts.join("/"));
    const existing = this.fs.GetInode(dir).direntries.get(name);
    if (existing === undefined) {
      await this.fs.CreateBinaryFile(name, dir, bytes);
      return;
    }
    if (this.fs.IsDirectory(existing)) throw new Error(`${path} is a folder`);
    // Same inode, new contents: a shell that has the file open keeps seeing the same file.
    await this.fs.ChangeSize(existing, 0);
    if (bytes.length) await this.fs.Write(existing, 0, bytes.length, bytes);
    const inode = this.fs.GetInode(existing);
    inode.size = bytes.length;
    inode.mtime = Math.round(Date.now() / 1000);
  }

  /** A digest of names, sizes and contents: it changes when anything in the workspace does. */
  async digest(): Promise<string> {
    let h = 0x811c9dc5;
    const mix = (byte: number) => {
      h ^= byte;
      h = Math.imul(h, 0x01000193);
    };
    for (const e of this.list()) {
      for (let i = 0; i < e.path.length; i++) mix(e.path.charCodeAt(i) & 0xff);
      mix(e.kind === "dir" ? 1 : 2);
      mix(e.size & 0xff);
      mix((e.size >>> 8) & 0xff);
      if (e.kind === "file" && e.size <= MAX_FILE_BYTES) for (const b of await this.read(e.path)) mix(b);
    }
    return (h >>> 0).toString(16);
  }

  private dirId(path: string): number {
    const { id } = this.fs.SearchPath(this.full(path));
    if (id < 0 || !this.fs.IsDirectory(id)) throw new Error(`the workspace folder /mnt/host/${WORKSPACE_DIR} is missing in the guest`);
    return id;
  }

  private full(path: string): string {
    const rel = this.split(path).join("/");
    return rel ? `${WORKSPACE_DIR}/${rel}` : WORKSPACE_DIR;
  }

  /** Workspace paths are relative and may not climb out of it. */
  private split(path: string): string[] {
    const parts = path.split("/").filter((p) => p !== "" && p !== ".");
    if (parts.some((p) => p === "..")) throw new Error(`${path}: ".." is not allowed in a workspace path`);
    return parts;
  }
}
