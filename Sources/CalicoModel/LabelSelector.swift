/// A Kubernetes `metav1.LabelSelector`.
public struct LabelSelector: Hashable, Sendable {
    public enum Operator: String, Hashable, Sendable {
        case `in` = "In", notIn = "NotIn", exists = "Exists", doesNotExist = "DoesNotExist"
    }
    public struct Requirement: Hashable, Sendable {
        public var key: String
        public var op: Operator
        public var values: [String]
        public init(key: String, op: Operator, values: [String] = []) {
            self.key = key
            self.op = op
            self.values = values
        }
    }
    public var matchLabels: [String: String]
    public var matchExpressions: [Requirement]
    public init(matchLabels: [String: String] = [:], matchExpressions: [Requirement] = []) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }
    public var isEmpty: Bool { matchLabels.isEmpty && matchExpressions.isEmpty }
}
