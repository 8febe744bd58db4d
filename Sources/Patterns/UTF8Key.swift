/// A string compared and hashed by its UTF-8 bytes. AWS matches bytes, while Swift's `String`
/// equality folds canonically equivalent spellings ("é" precomposed and decomposed) together.
struct UTF8Key: Hashable, Sendable {
    let string: String

    init(_ string: String) {
        self.string = string
    }

    static func == (a: UTF8Key, b: UTF8Key) -> Bool {
        Bytes.equal(a.string, b.string)
    }

    func hash(into hasher: inout Hasher) {
        Bytes.with(string) { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
