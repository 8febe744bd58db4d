/// The knobs of the map's geometry, in terminal cells. Part of a layout's identity: a layout
/// is reused only for the same graph and the same options.
public struct MapLayoutOptions: Sendable, Hashable {
    /// Box widths: a name wider than the maximum is cut with `…` (so a 200-character name
    /// cannot make one column of the map 200 cells wide).
    public var minimumBoxWidth: Int
    public var maximumBoxWidth: Int
    /// Columns reserved on every edge, just right of its source, for its live label
    /// (`12.3/s`). Fixed, so labels changing never move anything.
    public var labelWidth: Int
    /// Blank rows between two items of a layer.
    public var rowGap: Int
    /// Barycentre sweeps (one down and one up each) in crossing reduction.
    public var sweeps: Int

    public init(minimumBoxWidth: Int = 14, maximumBoxWidth: Int = 28, labelWidth: Int = 8, rowGap: Int = 1,
                sweeps: Int = 4) {
        self.minimumBoxWidth = max(6, minimumBoxWidth)
        self.maximumBoxWidth = max(self.minimumBoxWidth, maximumBoxWidth)
        self.labelWidth = max(0, labelWidth)
        self.rowGap = max(0, rowGap)
        self.sweeps = max(0, sweeps)
    }
}
