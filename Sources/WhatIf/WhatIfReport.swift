/// What a change does to a set of flows.
public struct WhatIfReport: Hashable, Sendable, Codable {
    /// One world's view of a flow: the verdict of its first packet and what decided it.
    public struct Side: Hashable, Sendable, Codable {
        public var verdict: String
        /// Packets of the flow this world let through.
        public var accepted: Int
        public var cause: String
        /// The deciding policy or profile, `Kind name`, when one decided.
        public var policy: String?
        public var summary: String
    }

    public struct FlowChange: Hashable, Sendable, Codable {
        public var flow: String
        public var packets: Int
        public var before: Side
        public var after: Side
        /// For a flow the change starts dropping: what happens to a connection already open
        /// when the change lands (`kept`: conntrack still lets its packets through; `cut`).
        public var establishedConnections: String?
    }

    public var flows: Int
    public var packets: Int
    public var changed: [FlowChange]
    /// Changed flows by kind: `accepted → dropped`, `dropped → accepted`, `decided by another policy`.
    public var counts: [String: Int]
}
