import HeapModule
import Terminal

/// Track columns in each channel between two layers.
///
/// Edges into the same row (the same box) form a group that shares one vertical track and
/// merges into one arrow. Two groups share a track only when their row spans are disjoint.
/// One ordering matters: when an edge leaves its source on the row where another group
/// arrives, it must turn on a track left of that group's, or the two would run along the
/// same stretch of row and read as one line.
extension LayoutBuilder {
    mutating func assignTracks() {
        let channels = max(0, order.count - 1)
        trackCount = Array(repeating: 0, count: channels)
        linkTrack = Array(repeating: -1, count: linkFrom.count)
        var linksByChannel = Array(repeating: [Int](), count: channels)
        for link in 0..<linkFrom.count { linksByChannel[itemLayer[linkFrom[link]]].append(link) }
        for channel in 0..<channels { assignTracks(channel: channel, links: linksByChannel[channel]) }
    }

    private mutating func assignTracks(channel: Int, links: [Int]) {
        var groupOfRow: [Int: Int] = [:]
        var groupLinks: [[Int]] = []
        var low: [Int] = [], high: [Int] = []
        var needsTrack: [Bool] = []
        for link in links {
            let row = linkTargetRow[link]
            let group: Int
            if let existing = groupOfRow[row] {
                group = existing
            } else {
                group = groupLinks.count
                groupOfRow[row] = group
                groupLinks.append([])
                low.append(row)
                high.append(row)
                needsTrack.append(false)
            }
            groupLinks[group].append(link)
            let source = linkSourceRow[link]
            low[group] = min(low[group], source)
            high[group] = max(high[group], source)
            if source != row { needsTrack[group] = true }
        }
        // left[g]: groups that must take a track left of g's.
        var mustFollow = Array(repeating: [Int](), count: groupLinks.count)
        var waiting = Array(repeating: 0, count: groupLinks.count)
        for (group, members) in groupLinks.enumerated() where needsTrack[group] {
            for link in members {
                if let other = groupOfRow[linkSourceRow[link]], other != group, needsTrack[other] {
                    mustFollow[group].append(other)   // `other` comes after `group`
                    waiting[other] += 1
                }
            }
        }
        // Kahn's algorithm, taking the ready group with the topmost span first (the left-edge
        // algorithm when nothing constrains); a cycle of constraints is broken at its topmost group.
        var ready = Heap<Candidate>()
        var unplaced = Set<Int>()
        for group in 0..<groupLinks.count where needsTrack[group] {
            unplaced.insert(group)
            if waiting[group] == 0 { ready.insert(Candidate(low: low[group], group: group)) }
        }
        var lowerBound = Array(repeating: 0, count: groupLinks.count)
        var trackEnd: [Int] = []   // per track: last row used so far
        var trackOfGroup = Array(repeating: -1, count: groupLinks.count)
        while !unplaced.isEmpty {
            let group: Int
            if let next = ready.popMin() {
                group = next.group
                guard unplaced.contains(group) else { continue }
            } else {
                group = unplaced.min { (low[$0], $0) < (low[$1], $0) }!
            }
            unplaced.remove(group)
            var track = lowerBound[group]
            while track < trackEnd.count && trackEnd[track] >= low[group] { track += 1 }
            if track == trackEnd.count { trackEnd.append(high[group]) } else { trackEnd[track] = high[group] }
            trackOfGroup[group] = track
            for other in mustFollow[group] {
                lowerBound[other] = max(lowerBound[other], track + 1)
                waiting[other] -= 1
                if waiting[other] == 0 && unplaced.contains(other) {
                    ready.insert(Candidate(low: low[other], group: other))
                }
            }
        }
        trackCount[channel] = trackEnd.count
        for (group, members) in groupLinks.enumerated() where needsTrack[group] {
            for link in members { linkTrack[link] = trackOfGroup[group] }
        }
    }
}

struct Candidate: Comparable {
    var low: Int
    var group: Int
    static func < (a: Candidate, b: Candidate) -> Bool { (a.low, a.group) < (b.low, b.group) }
}
