import Foundation

/// What a screenshot test needs from a PNG: its size from the header, and where given colours
/// were painted. Decoding needs zlib, which Foundation on Linux does not expose, so the pixels
/// are counted by python3's zlib.
struct PNGFile {
    var data: Data

    var hasSignature: Bool { data.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) }

    /// Width and height from the IHDR chunk, which must come first.
    var size: (width: Int, height: Int)? {
        guard data.count >= 24, hasSignature, data[data.startIndex + 12 ..< data.startIndex + 16] == Data("IHDR".utf8) else { return nil }
        func big(_ offset: Int) -> Int {
            (0..<4).reduce(0) { $0 << 8 | Int(data[data.startIndex + offset + $1]) }
        }
        return (big(16), big(20))
    }

    struct ColourPresence {
        var count: Int
        var minX: Int, minY: Int, maxX: Int, maxY: Int
    }

    /// Pixels within a small tolerance of each `#rrggbb` colour, with their bounding box.
    static func colours(in png: URL, _ colours: [String], python: String, timeout: TimeInterval = 30) throws -> [String: ColourPresence] {
        let work = png.deletingLastPathComponent()
        let script = work.appendingPathComponent("png-colours.py")
        try decoder.write(to: script, atomically: true, encoding: .utf8)
        let log = work.appendingPathComponent("png-colours.txt")
        try HeadlessBrowser.run(python, [script.path, png.path] + colours, log: log, timeout: timeout)
        var result: [String: ColourPresence] = [:]
        for line in try String(contentsOf: log, encoding: .utf8).split(separator: "\n") {
            let fields = line.split(separator: " ")
            let numbers = fields.dropFirst().compactMap { Int($0) }
            guard fields.count == 6, numbers.count == 5 else { continue }
            result[String(fields[0])] = ColourPresence(count: numbers[0], minX: numbers[1], minY: numbers[2], maxX: numbers[3], maxY: numbers[4])
        }
        return result
    }

    static let decoder = #"""
        import sys, zlib, struct

        def rows(path):
            data = open(path, 'rb').read()
            pos, idat, header = 8, [], None
            while pos < len(data):
                length, kind = struct.unpack('>I4s', data[pos:pos + 8])
                body = data[pos + 8:pos + 8 + length]
                if kind == b'IHDR': header = struct.unpack('>IIBBBBB', body)
                elif kind == b'IDAT': idat.append(body)
                pos += 12 + length
            width, height, depth, ctype, _, _, interlace = header
            assert depth == 8 and ctype in (2, 6) and interlace == 0, header
            bpp = 3 if ctype == 2 else 4
            raw = zlib.decompress(b''.join(idat))
            stride = width * bpp
            previous = bytearray(stride)
            for y in range(height):
                start = y * (stride + 1)
                f = raw[start]
                row = bytearray(raw[start + 1:start + 1 + stride])
                if f == 1:
                    for i in range(bpp, stride): row[i] = (row[i] + row[i - bpp]) & 255
                elif f == 2:
                    row = bytearray((a + b) & 255 for a, b in zip(row, previous))
                elif f == 3:
                    for i in range(stride): row[i] = (row[i] + ((row[i - bpp] if i >= bpp else 0) + previous[i]) // 2) & 255
                elif f == 4:
                    for i in range(stride):
                        a = row[i - bpp] if i >= bpp else 0
                        b = previous[i]
                        c = previous[i - bpp] if i >= bpp else 0
                        p = a + b - c
                        pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                        row[i] = (row[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
                previous = row
                yield y, width, bpp, row

        targets = {name: tuple(int(name.lstrip('#')[i:i + 2], 16) for i in (0, 2, 4)) for name in sys.argv[2:]}
        found = {name: [0, 1 << 30, 1 << 30, -1, -1] for name in targets}
        for y, width, bpp, row in rows(sys.argv[1]):
            for name, (r, g, b) in targets.items():
                s = found[name]
                for x in range(width):
                    i = x * bpp
                    if abs(row[i] - r) <= 6 and abs(row[i + 1] - g) <= 6 and abs(row[i + 2] - b) <= 6:
                        s[0] += 1
                        s[1] = min(s[1], x); s[2] = min(s[2], y); s[3] = max(s[3], x); s[4] = max(s[4], y)
        for name, s in found.items():
            print(name, *s)
        """#
}
