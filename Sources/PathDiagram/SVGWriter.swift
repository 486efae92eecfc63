/// SVG elements written line by line, attributes in the order given so the output is
/// byte-for-byte deterministic.
struct SVGWriter {
    private(set) var lines: [String] = []
    private var depth = 0

    private static func attributes(_ pairs: [(String, String)]) -> String {
        pairs.map { " \($0.0)=\"\(XMLText.escape($0.1))\"" }.joined()
    }

    private mutating func emit(_ line: String) {
        lines.append(String(repeating: "  ", count: depth) + line)
    }

    mutating func open(_ name: String, _ attributes: [(String, String)] = []) {
        emit("<\(name)\(Self.attributes(attributes))>")
        depth += 1
    }

    mutating func close(_ name: String) {
        depth -= 1
        emit("</\(name)>")
    }

    mutating func element(_ name: String, _ attributes: [(String, String)]) {
        emit("<\(name)\(Self.attributes(attributes))/>")
    }

    mutating func element(_ name: String, _ attributes: [(String, String)], text: String) {
        emit("<\(name)\(Self.attributes(attributes))>\(XMLText.escape(text))</\(name)>")
    }

    mutating func rect(x: Int, y: Int, width: Int, height: Int, fill: String, stroke: String, strokeWidth: Int = 1, extra: [(String, String)] = []) {
        element("rect", extra + [("x", "\(x)"), ("y", "\(y)"), ("width", "\(width)"), ("height", "\(height)"), ("rx", "3"),
                                 ("fill", fill), ("stroke", stroke), ("stroke-width", "\(strokeWidth)")])
    }

    /// Text whose baseline sits at `y`; `tooltip` adds an SVG `<title>` with the untruncated text.
    mutating func text(x: Int, y: Int, _ content: String, fill: String = Palette.text, weight: String? = nil,
                       anchor: String? = nil, size: Int? = nil, style: String? = nil, tooltip: String? = nil, extra: [(String, String)] = []) {
        var attributes = extra + [("x", "\(x)"), ("y", "\(y)"), ("fill", fill)]
        if let weight { attributes.append(("font-weight", weight)) }
        if let anchor { attributes.append(("text-anchor", anchor)) }
        if let size { attributes.append(("font-size", "\(size)")) }
        if let style { attributes.append(("font-style", style)) }
        guard let tooltip, tooltip != content else {
            element("text", attributes, text: content)
            return
        }
        open("g")
        element("title", [], text: tooltip)
        element("text", attributes, text: content)
        close("g")
    }

    /// A polyline arrow through `points`, ending in an arrowhead.
    mutating func arrow(_ points: [(Int, Int)], hot: Bool, extra: [(String, String)] = []) {
        let data = points.enumerated().map { "\($0.offset == 0 ? "M" : "L")\($0.element.0),\($0.element.1)" }.joined(separator: " ")
        element("path", extra + [("d", data), ("fill", "none"),
                                 ("stroke", hot ? Palette.path : Palette.idle), ("stroke-width", hot ? "3" : "1.5"),
                                 ("marker-end", hot ? "url(#arrow-hot)" : "url(#arrow)")])
    }

    /// Another writer's elements, nested at this writer's depth: the body is written before
    /// the root's size is known.
    mutating func append(_ other: SVGWriter) {
        for line in other.lines { emit(line) }
    }

    var output: String { lines.joined(separator: "\n") + "\n" }
}
