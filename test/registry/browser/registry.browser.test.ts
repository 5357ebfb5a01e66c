// The registry in a real browser: the storage driver suite against
// IndexedDB, and a push and pull through handle() on it. Mocha (web-test-
// runner) runs this; the Node tests cover the rest of the API.
//   npx wtr --config web-test-runner.config.mjs --files 'test/registry/browser/*.test.ts'
import { driverSuite } from "../driver-suite.ts";
import { IdbDriver } from "../../../worker/registry/storage/idb.ts";
import { createRegistry } from "../../../worker/registry/registry.ts";

let n = 0;
const fresh = () => new IdbDriver(`slipway-browser-test-${Date.now()}-${n++}`);

describe("storage driver: idb (Chromium)", () => {
  for (const c of driverSuite(async () => fresh())) it(c.name, c.run);
});

async function sha256(data: Uint8Array<ArrayBuffer>): Promise<string> {
  const h = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  return "sha256:" + [...h].map((b) => b.toString(16).padStart(2, "0")).join("");
}

describe("registry on IndexedDB (Chromium)", () => {
  it("pushes and pulls an image, and a reload keeps it", async () => {
    const dbName = `slipway-browser-registry-${Date.now()}`;
    const api = (reg: ReturnType<typeof createRegistry>) => (path: string, init?: RequestInit) => reg.handle(new Request(location.origin + path, init));
    const push = api(createRegistry({ driver: new IdbDriver(dbName) }));
    const layer = crypto.getRandomValues(new Uint8Array(60_000));
    const config = new TextEncoder().encode('{"architecture":"386","os":"linux"}');
    for (const blob of [layer, config]) {
      const res = await push(`/v2/web/app/blobs/uploads/?digest=${await sha256(blob)}`, { method: "POST", body: blob });
      if (res.status !== 201) throw new Error(`blob push: ${res.status} ${await res.text()}`);
    }
    const manifest = new TextEncoder().encode(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: await sha256(config), size: config.byteLength },
        layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: await sha256(layer), size: layer.byteLength }],
      }),
    );
    const put = await push("/v2/web/app/manifests/v1", { method: "PUT", body: manifest, headers: { "Content-Type": "application/vnd.oci.image.manifest.v1+json" } });
    if (put.status !== 201) throw new Error(`manifest push: ${put.status}`);

    const pull = api(createRegistry({ driver: new IdbDriver(dbName) })); // as after a reload
    const got = await pull("/v2/web/app/manifests/v1");
    if (got.headers.get("docker-content-digest") !== (await sha256(manifest))) throw new Error("manifest digest differs");
    const blob = new Uint8Array(await (await pull(`/v2/web/app/blobs/${await sha256(layer)}`)).arrayBuffer());
    if (blob.length !== layer.length || !blob.every((v, i) => v === layer[i])) throw new Error("layer bytes differ");
  });
});
