/// A string compared and hashed by its UTF-8 bytes. AWS matches bytes, while Swift's `String`
/// equality folds canonically equivalent spellings ("é" precomposed and decomposed) together.
struct UTF8Key: Hashable, Sendable {
    let string: String

    init(_ string: String) {
        var string = string
        string.makeContiguousUTF8()
        self.string = string
    }

    static func == (a: UTF8Key, b: UTF8Key) -> Bool {
        a.string.utf8.elementsEqual(b.string.utf8)
    }

    func hash(into hasher: inout Hasher) {
        if let done: Void = string.utf8.withContiguousStorageIfAvailable({ hasher.combine(bytes: UnsafeRawBufferPointer($0)) }) {
            return done
        }
        Array(string.utf8).withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}
