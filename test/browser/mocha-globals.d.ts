// The mocha globals web-test-runner gives a test file (the few these tests use).
declare function describe(title: string, fn: () => void): void;
declare function it(title: string, fn: () => Promise<void> | void): void;
declare function afterEach(fn: () => Promise<void> | void): void;
