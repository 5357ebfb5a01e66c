// The page's half of the Preview relay: the service worker (sw.ts) posts each request for
// preview/<port>/… here; the page opens a TCP connection to that port in the guest (through
// the guest worker's dialPort), speaks HTTP/1.1 on it, and answers with the response.
import type { GuestConnection } from "../guest-connection.ts";
import type { PreviewRequest, PreviewResponse } from "../sw.ts";
import { request } from "../../worker/browser/http1-client.ts";
import { inWords } from "../engine-client.ts";

const HOP_BY_HOP = /^(connection|keep-alive|transfer-encoding|upgrade|proxy-connection|accept-encoding|host)$/i;

export function startPreviewRelay(guest: () => GuestConnection | undefined): () => void {
  if (!("serviceWorker" in navigator)) return () => {};
  const onMessage = (e: MessageEvent) => {
    const msg = e.data as PreviewRequest | undefined;
    if (msg?.type !== "slipway-preview-fetch" || !e.ports[0]) return;
    void answer(guest(), msg).then((res) => e.ports[0].postMessage(res, [res.body]));
  };
  navigator.serviceWorker.addEventListener("message", onMessage);
  // Messages wait until the page says it is listening.
  navigator.serviceWorker.startMessages();
  return () => navigator.serviceWorker.removeEventListener("message", onMessage);
}

async function answer(guest: GuestConnection | undefined, msg: PreviewRequest): Promise<PreviewResponse> {
  const fail = (status: number, error: string): PreviewResponse => ({ status, statusText: "", headers: [], body: new ArrayBuffer(0), error });
  if (!guest) return fail(503, "The machine is still starting. Reload the preview in a moment.");
  let conn;
  try {
    conn = await guest.dialPort(msg.port);
  } catch (err) {
    return fail(502, `Nothing answers on port ${msg.port} in the machine (${inWords(err)}). Is the container running with -p ${msg.port}:…?`);
  }
  try {
    const headers: Record<string, string> = { Host: `localhost:${msg.port}`, Connection: "close", "Accept-Encoding": "identity" };
    for (const [k, v] of msg.headers) if (!HOP_BY_HOP.test(k)) headers[k] = v;
    const res = await request(
      { read: () => conn.read(), write: (d) => conn.write(d), end: () => conn.end() },
      { method: msg.method, path: msg.path, headers, body: msg.body ? new Uint8Array(msg.body) : undefined },
    );
    const body = res.body.slice().buffer;
    return { status: res.status, statusText: res.statusText, headers: Object.entries(res.headers), body };
  } catch (err) {
    return fail(502, `The container's server on port ${msg.port} did not answer properly: ${inWords(err)}`);
  } finally {
    try {
      conn.end();
    } catch {
      /* already closed */
    }
  }
}
