/// Call latencies in fixed, geometrically spaced buckets: four per doubling from 100 µs to
/// about 7 minutes, plus one below and one above. Adding or removing a call is O(1), so the
/// sliding windows can keep one up to date as calls enter and leave; a percentile is read by
/// walking the 90 buckets and interpolating inside the one that holds it (error about 10%,
/// half a bucket's width).
struct LatencyHistogram: Sendable, Hashable {
    static let bucketCount = 90
    /// Lower bound of bucket 1, in nanoseconds; bucket 0 holds everything faster.
    static let baseNanoseconds = 100_000.0
    private static let quarterSteps: [Double] = [1, 1.189_207_115_002_721, 1.414_213_562_373_095_1, 1.681_792_830_507_429]

    /// Allocated on first use: most one-second buckets of a time window stay empty.
    private(set) var counts: [UInt32] = []
    private(set) var total = 0

    /// The bucket a latency falls in.
    static func bucket(forNanoseconds nanoseconds: Int64) -> Int {
        let ratio = Double(nanoseconds) / baseNanoseconds
        guard ratio >= 1 else { return 0 }
        let octave = Int(ratio.exponent)
        let significand = ratio.significand
        var quarter = 0
        while quarter < 3, significand >= quarterSteps[quarter + 1] { quarter += 1 }
        return min(1 + octave * 4 + quarter, bucketCount - 1)
    }

    /// Lower bound of a bucket, in nanoseconds.
    static func lowerBound(_ bucket: Int) -> Double {
        guard bucket > 0 else { return 0 }
        let step = bucket - 1
        return baseNanoseconds * Double(1 << (step / 4)) * quarterSteps[step % 4]
    }

    mutating func add(bucket: Int) {
        if counts.isEmpty { counts = Array(repeating: 0, count: Self.bucketCount) }
        counts[bucket] += 1
        total += 1
    }

    mutating func remove(bucket: Int) {
        counts[bucket] -= 1
        total -= 1
    }

    mutating func subtract(_ other: LatencyHistogram) {
        guard other.total > 0 else { return }
        for (bucket, count) in other.counts.enumerated() where count > 0 { counts[bucket] -= count }
        total -= other.total
    }

    /// The latency below which a fraction `quantile` (0...1) of the calls fall, in
    /// nanoseconds; nil when there are no calls. The slowest bucket is open-ended: a call
    /// there reads as its lower bound.
    func percentile(_ quantile: Double) -> Double? {
        guard total > 0 else { return nil }
        let rank = max(1, min(total, Int((quantile * Double(total)).rounded(.up))))
        var seen = 0
        for (bucket, count) in counts.enumerated() where count > 0 {
            let inBucket = Int(count)
            if seen + inBucket >= rank {
                let lower = Self.lowerBound(bucket)
                guard bucket < Self.bucketCount - 1 else { return lower }
                let upper = Self.lowerBound(bucket + 1)
                // The calls of a bucket are taken as spread evenly, each at the middle of its share.
                return lower + (upper - lower) * (Double(rank - seen) - 0.5) / Double(inBucket)
            }
            seen += inBucket
        }
        return nil
    }
}
