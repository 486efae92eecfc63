import Netfilter

public enum IPSetSaveParser {
    public static func parse(_ text: String, file: String) throws(IptablesSaveError) -> [IPSet] { [] }
}
