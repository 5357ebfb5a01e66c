// The mocha globals web-test-runner gives a test file (the few these tests use).
interface MochaContext {
  timeout(ms: number): void;
  skip(): never;
}
declare function describe(title: string, fn: (this: MochaContext) => void): void;
declare function it(title: string, fn: (this: MochaContext) => Promise<void> | void): void;
declare function before(fn: (this: MochaContext) => Promise<void> | void): void;
declare function after(fn: (this: MochaContext) => Promise<void> | void): void;
declare function beforeEach(fn: (this: MochaContext) => Promise<void> | void): void;
declare function afterEach(fn: (this: MochaContext) => Promise<void> | void): void;
