import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The text of an AWS Query protocol answer's leaf elements, by element name (STS answers are
/// small and each name we read occurs once: `AccessKeyId`, `Expiration`, `Code`, …).
/// Uses Foundation's XML parser; nothing here needs more than names and texts.
struct QueryXML {
    private(set) var leaves: [String: String] = [:]

    init?(_ bytes: [UInt8]) {
        let collector = Collector()
        let parser = XMLParser(data: Data(bytes))
        parser.delegate = collector
        guard parser.parse() else { return nil }
        leaves = collector.leaves
    }

    subscript(name: String) -> String? { leaves[name] }

    private final class Collector: NSObject, XMLParserDelegate {
        var leaves: [String: String] = [:]
        private var text = ""

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            text = ""
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                    qualifiedName: String?) {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !trimmed.isEmpty, leaves[elementName] == nil { leaves[elementName] = trimmed }
            text = ""
        }
    }
}
