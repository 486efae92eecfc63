import Testing
@Test func placeholderClusterPath() {}
