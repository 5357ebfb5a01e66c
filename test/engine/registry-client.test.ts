// RegistryClient against a scripted fetch, for what docker-registry on loopback does
// not show: an upload Location on another host, and how errors read.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { RegistryClient, TokenError, type Fetch } from "../../worker/engine/distribution/registry-client.ts";

/** A fetch that records each request and answers with `answer`. */
function scripted(answer: (url: URL, init: RequestInit) => Response): { fetch: Fetch; seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    fetch: async (input, init = {}) => {
      const auth = new Headers(init.headers).get("authorization");
      seen.push(`${init.method ?? "GET"} ${input}${auth ? ` [${auth.split(" ")[0]}]` : ""}`);
      return answer(new URL(input), init);
    },
  };
}

const challenge = 'Bearer realm="http://auth.test/token",service="reg.test"';
const bearer = (url: URL, init: RequestInit) => new Headers(init.headers).get("authorization") === "Bearer T" || url.host === "auth.test";

describe("RegistryClient", () => {
  test("an upload goes to the Location the registry names, even on another host, which gets no credentials", async () => {
    const { fetch, seen } = scripted((url, init) => {
      if (url.host === "auth.test") return Response.json({ token: "T" });
      if (url.host === "upload.test") return new Response(null, { status: 201 });
      if (!bearer(url, init)) return new Response(null, { status: 401, headers: { "WWW-Authenticate": challenge } });
      if (init.method === "POST") return new Response(null, { status: 202, headers: { Location: "http://upload.test/u/1?_state=x" } });
      return new Response(null, { status: 201 });
    });
    await new RegistryClient(fetch, "http://reg.test", { username: "u", password: "p" }).pushBlob("team/app", "sha256:ab", new Uint8Array([1]));
    assert.deepEqual(seen, [
      "POST http://reg.test/v2/team/app/blobs/uploads/ [Basic]",
      "GET http://auth.test/token?service=reg.test&scope=repository%3Ateam%2Fapp%3Apull%2Cpush&account=u [Basic]",
      "POST http://reg.test/v2/team/app/blobs/uploads/ [Bearer]",
      "PUT http://upload.test/u/1?_state=x&digest=sha256%3Aab",
    ]);
  });

  test("a relative Location resolves against the registry", async () => {
    const { fetch, seen } = scripted((_url, init) => (init.method === "POST" ? new Response(null, { status: 202, headers: { Location: "/v2/app/blobs/uploads/9" } }) : new Response(null, { status: 201 })));
    await new RegistryClient(fetch, "http://reg.test").pushBlob("app", "sha256:ab", new Uint8Array([1]));
    assert.equal(seen[1], "PUT http://reg.test/v2/app/blobs/uploads/9?digest=sha256%3Aab");
  });

  test("a token with too little scope reads as distribution's DENIED", async () => {
    const { fetch } = scripted((url) =>
      url.host === "auth.test" ? Response.json({ token: "T" }) : new Response('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}', { status: 401, headers: { "WWW-Authenticate": `${challenge},scope="repository:app:pull",error="insufficient_scope"` } }),
    );
    await assert.rejects(new RegistryClient(fetch, "http://reg.test").getManifest("app", "1"), { code: "DENIED", message: "denied: requested access to the resource is denied" });
  });

  test("a refused token names the request it was for, as Go's url.Error does", async () => {
    const { fetch } = scripted((url) => (url.host === "auth.test" ? Response.json({ details: "incorrect username or password" }, { status: 401 }) : new Response(null, { status: 401, headers: { "WWW-Authenticate": challenge } })));
    const err = await new RegistryClient(fetch, "http://reg.test", { username: "u", password: "bad" }).ping().catch((e: unknown) => e);
    assert.ok(err instanceof TokenError);
    assert.equal(err.message, 'Get "http://reg.test/v2/": unauthorized: incorrect username or password');
  });

  test("a registry error body reads as code: message", async () => {
    const { fetch } = scripted(() => Response.json({ errors: [{ code: "BLOB_UPLOAD_INVALID", message: "blob upload invalid" }] }, { status: 400 }));
    await assert.rejects(new RegistryClient(fetch, "http://reg.test").pushBlob("app", "sha256:ab", new Uint8Array([1])), { message: "blob upload invalid: blob upload invalid" });
  });
});
