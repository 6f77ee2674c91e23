import Testing

/// Tests that start child processes and tests that hold a thousand open channels, run one at a
/// time. Foundation's `Process.run()` in this toolchain can read past a buffer while listing
/// /proc/self/fd and crash the test process, and thousands of open descriptors make that likely
/// (swift-corelibs-foundation PR #5472 fixes it); keeping the two apart keeps the suite reliable.
@Suite(.serialized) enum HeavyServerTests {}
