/// Text sizes for a monospace font, estimated from character counts: the diagram has no font
/// of its own to measure, and every monospace font the browsers fall back to is about 0.6em wide.
enum TextMetrics {
    static let fontSize = 12
    static let lineHeight = 16
    /// Slightly above 0.6em, so a wider fallback font still stays inside its box.
    static let charWidth = 7.3

    static func width(_ text: String, scale: Double = 1) -> Int {
        Int((Double(text.count) * charWidth * scale).rounded(.up))
    }

    /// How many characters fit in `width` pixels.
    static func columns(_ width: Int, scale: Double = 1) -> Int {
        max(1, Int(Double(width) / (charWidth * scale)))
    }

    static func truncate(_ text: String, columns: Int) -> String {
        guard text.count > columns else { return text }
        return String(text.prefix(max(0, columns - 1))) + "…"
    }

    /// Word-wrapped lines of at most `columns` characters; a word longer than that is split.
    static func wrap(_ text: String, columns: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            var word = Substring(word)
            while word.count > columns {
                if !line.isEmpty { lines.append(line); line = "" }
                lines.append(String(word.prefix(columns)))
                word = word.dropFirst(columns)
            }
            if line.isEmpty {
                line = String(word)
            } else if line.count + 1 + word.count <= columns {
                line += " " + word
            } else {
                lines.append(line)
                line = String(word)
            }
        }
        if !line.isEmpty || lines.isEmpty { lines.append(line) }
        return lines
    }
}
