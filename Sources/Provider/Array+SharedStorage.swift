extension Array {
    /// The same elements in the same storage (copies of one array value): true without reading
    /// them. False for equal arrays in different storage, and for two empty arrays that do not
    /// share it.
    func sharesStorage(with other: [Element]) -> Bool {
        withUnsafeBufferPointer { a in other.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress && a.count == b.count } }
    }
}
