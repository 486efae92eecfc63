import Netfilter

/// Writes sets in `ipset save` form: the `create` line with its options as given, then one
/// `add` line per element with its extensions. For sets parsed from `ipset save` output the
/// text comes back unchanged.
public enum IPSetSavePrinter {
    public static func print(_ sets: [IPSet]) -> String {
        var output = ""
        for set in sets {
            output += (["create", set.name, set.type.rawValue] + set.options).joined(separator: " ") + "\n"
            for entry in set.entries { output += addLine(entry, set: set.name) + "\n" }
        }
        return output
    }

    public static func addLine(_ entry: IPSetEntry, set: String) -> String {
        var extensions = entry.extensions
        if entry.nomatch && !extensions.contains("nomatch") {
            // ipset prints nomatch after the timeout and before the counters.
            let at = extensions.firstIndex(of: "timeout").map { min($0 + 2, extensions.count) } ?? 0
            extensions.insert("nomatch", at: at)
        }
        return (["add", set, entry.text] + extensions).joined(separator: " ")
    }
}
