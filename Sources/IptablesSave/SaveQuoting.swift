/// libxtables' `xtables_save_string`: a word made only of letters, digits, `_` and `-` is
/// printed bare; anything else (including the empty word) goes in double quotes with `"`,
/// `\` and `'` escaped. This is why Calico's `cali:XXXX` comments always appear quoted.
public enum SaveQuoting {
    public static func quote(_ text: String) -> String {
        if !text.isEmpty, text.unicodeScalars.allSatisfy({ isBare($0) }) { return text }
        var result = "\""
        for character in text {
            if character == "\"" || character == "\\" || character == "'" { result.append("\\") }
            result.append(character)
        }
        result.append("\"")
        return result
    }

    private static func isBare(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "_", "-": return true
        default: return false
        }
    }
}
