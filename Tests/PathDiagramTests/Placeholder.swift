import Testing
@Test func placeholderPathDiagram() {}
