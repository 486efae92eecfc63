/// The diagram's colours. The deciding fill marks the deciding rule and nothing else, so a
/// screenshot can be checked for it.
enum Palette {
    static let text = "#1a1a1a"
    static let muted = "#9a9a9a"
    static let idle = "#b5b5b5"
    static let idleFill = "#f5f5f5"
    static let path = "#1565c0"
    static let visitedFill = "#d3e4f8"
    static let headerFill = "#e9f0fa"
    static let deciding = "#c62828"
    static let decidingFill = "#ffd6d6"
    static let accepted = "#2e7d32"
    static let acceptedFill = "#e4f4e5"
    static let droppedFill = "#fbeaea"
    static let ruleText = "#555555"
    static let label = "#6a1b9a"
    static let hopHeader = "#263238"
}
