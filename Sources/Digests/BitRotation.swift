extension FixedWidthInteger where Self: UnsignedInteger {
    /// Circular left shift; `count` must be in `1..<bitWidth`.
    @inline(__always)
    func rotatedLeft(by count: Int) -> Self {
        (self &<< count) | (self &>> (Self.bitWidth - count))
    }
}
