import Testing
@Test func placeholderExplain() {}
