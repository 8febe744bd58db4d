import Terminal

/// Draws a window of a laid-out map into a cell buffer.
///
/// Edges are first rasterised into a grid of line directions (left, right, up, down bits per
/// cell), so crossings and merges get the right box-drawing glyph (`┼`, `┬`, `├`…) however
/// many edges share a cell. Only the boxes and segments whose spatial buckets overlap the
/// window are visited, so the cost follows the window, not the map.
public enum MapCanvas {
    static let left: UInt8 = 1, right: UInt8 = 2, up: UInt8 = 4, down: UInt8 = 8

    /// Glyph per direction mask (index = bits).
    static let glyphs: [String] = [
        " ", "─", "─", "─", "│", "┘", "└", "┴", "│", "┐", "┌", "┬", "│", "┤", "├", "┼",
    ]
    /// The same in heavy lines, for highlighted edges.
    static let heavyGlyphs: [String] = [
        " ", "━", "━", "━", "┃", "┛", "┗", "┻", "┃", "┓", "┏", "┳", "┃", "┫", "┣", "╋",
    ]

    /// The glyph of a cell: heavy when a highlighted edge crosses it; a straight run only
    /// dashed edges cross is dashed (corners and junctions have no dashed glyphs).
    static func glyph(mask: UInt8, heavy: Bool, dashed: Bool) -> String {
        if dashed && mask & (up | down) == 0 { return heavy ? "┅" : "┄" }
        if dashed && mask & (left | right) == 0 { return heavy ? "┇" : "┆" }
        return heavy ? heavyGlyphs[Int(mask)] : glyphs[Int(mask)]
    }

    /// Draws the map cells `origin ..< origin + area.size` into `area` of `buffer`.
    /// `selected` (a node index) is drawn with a heavy border and a reversed title.
    public static func draw(_ layout: MapLayout, decorations: MapDecorations, into buffer: inout CellBuffer,
                            area: Rect, origin: MapPoint, selected: Int? = nil) {
        guard !area.isEmpty else { return }
        let window = Rect(x: origin.x, y: origin.y, width: area.width, height: area.height)
        let visible = layout.visible(in: window)
        let width = area.width, height = area.height
        var mask = [UInt8](repeating: 0, count: width * height)
        // Per cell: the priority of the edge that colours it (0: none), that edge's role (an
        // index into `roles`, looked up once per edge, not per cell), and whether a highlighted
        // edge (`heavy`) or a solid, not dashed, one (`solid`) crosses it.
        var priority = [UInt8](repeating: 0, count: width * height)
        var roleOf = [UInt16](repeating: 0, count: width * height)
        var style = [UInt8](repeating: 0, count: width * height)
        let heavy: UInt8 = 1, solid: UInt8 = 2
        var roles: [Role] = []
        var roleIndex: [Role: UInt16] = [:]
        var edges = Set<Int32>()
        func decoration(_ edge: Int32) -> MapEdgeDecoration {
            decorations.edges.indices.contains(Int(edge)) ? decorations.edges[Int(edge)] : MapEdgeDecoration()
        }

        // What each edge in view draws with, worked out once per edge (not per segment or cell).
        var edgeLook: [Int32: (priority: UInt8, style: UInt8, role: UInt16)] = [:]
        func look(_ edge: Int32) -> (priority: UInt8, style: UInt8, role: UInt16) {
            if let known = edgeLook[edge] { return known }
            let edgeDecoration = decoration(edge)
            let dashed = layout.graph.edges.indices.contains(Int(edge)) && layout.graph.edges[Int(edge)].kind.isDashed
            let role = edgeRole(edgeDecoration)
            let index: UInt16
            if let known = roleIndex[role] {
                index = known
            } else {
                roles.append(role)
                index = UInt16(roles.count - 1)
                roleIndex[role] = index
            }
            let found = (UInt8(edgeDecoration.state.rawValue) + 1 + (edgeDecoration.highlighted ? 16 : 0),
                         (edgeDecoration.highlighted ? heavy : 0) | (dashed ? 0 : solid), index)
            edgeLook[edge] = found
            return found
        }

        for index in visible.segments {
            let segment = layout.segments[Int(index)]
            let edge = layout.segmentEdge[Int(index)]
            if segment.isHorizontal {
                let y = segment.y0 - origin.y
                guard y >= 0, y < height else { continue }
                let from = max(segment.x0, origin.x), to = min(segment.x1, origin.x + width - 1)
                guard from <= to else { continue }
                edges.insert(edge)
                let drawn = look(edge)
                for x in from...to {
                    let cell = y * width + (x - origin.x)
                    if x > segment.x0 { mask[cell] |= left }
                    if x < segment.x1 { mask[cell] |= right }
                    if segment.x0 == segment.x1 { mask[cell] |= left | right }
                    if drawn.priority > priority[cell] { priority[cell] = drawn.priority; roleOf[cell] = drawn.role }
                    style[cell] |= drawn.style
                }
            } else {
                let x = segment.x0 - origin.x
                guard x >= 0, x < width else { continue }
                let from = max(segment.y0, origin.y), to = min(segment.y1, origin.y + height - 1)
                guard from <= to else { continue }
                edges.insert(edge)
                let drawn = look(edge)
                for y in from...to {
                    let cell = (y - origin.y) * width + x
                    if y > segment.y0 { mask[cell] |= up }
                    if y < segment.y1 { mask[cell] |= down }
                    if drawn.priority > priority[cell] { priority[cell] = drawn.priority; roleOf[cell] = drawn.role }
                    style[cell] |= drawn.style
                }
            }
        }

        buffer.clipped(to: area) { buffer in
            for y in 0..<height {
                for x in 0..<width {
                    let cell = y * width + x
                    guard mask[cell] != 0 else { continue }
                    buffer.fill(Rect(x: area.x + x, y: area.y + y, width: 1, height: 1),
                                role: roles[Int(roleOf[cell])],
                                with: glyph(mask: mask[cell], heavy: style[cell] & heavy != 0, dashed: style[cell] & solid == 0))
                }
            }
            // Arrowheads and labels of the edges in view.
            for edge in edges.sorted() {
                let route = layout.routes[Int(edge)]
                let decoration = decoration(edge)
                let role = edgeRole(decoration)
                let arrow = route.arrow
                buffer.fill(Rect(x: area.x + arrow.x - origin.x, y: area.y + arrow.y - origin.y, width: 1, height: 1),
                            role: role, with: route.arrowGlyph)
                if !decoration.label.isEmpty {
                    let text = " " + decoration.label + " "
                    buffer.put(text, x: area.x + route.label.x - origin.x, y: area.y + route.label.y - origin.y,
                               role: role, maxWidth: route.label.width)
                }
            }
            for index in visible.boxes {
                let node = Int(index)
                let box = layout.boxes[node]
                guard box.rect.intersection(window).isEmpty == false else { continue }
                let decoration = decorations.nodes.indices.contains(node) ? decorations.nodes[node] : MapNodeDecoration()
                drawBox(layout.graph.nodes[node], box: box, decoration: decoration, selected: node == selected,
                        into: &buffer, at: MapPoint(x: area.x + box.rect.x - origin.x, y: area.y + box.rect.y - origin.y))
            }
        }
    }

    /// `state` is a `MapEdgeState` raw value plus one (0: no edge).
    public static func lineRole(_ state: UInt8) -> Role {
        switch Int(state) - 1 {
        case MapEdgeState.failing.rawValue: .error
        case MapEdgeState.active.rawValue: .accent
        case MapEdgeState.unknown.rawValue: .text
        default: .muted
        }
    }

    /// An edge's role: its own, else its state's.
    public static func edgeRole(_ decoration: MapEdgeDecoration) -> Role {
        decoration.role ?? lineRole(UInt8(decoration.state.rawValue) + 1)
    }

    public static func healthRole(_ health: MapHealth) -> Role {
        switch health {
        case .unknown: .muted
        case .healthy: .ok
        case .degraded: .warn
        case .failing: .error
        }
    }

    static func drawBox(_ node: MapNode, box: MapBox, decoration: MapNodeDecoration, selected: Bool,
                        into buffer: inout CellBuffer, at corner: MapPoint) {
        let rect = Rect(x: corner.x, y: corner.y, width: box.rect.width, height: box.rect.height)
        buffer.fill(rect, role: .background)
        let failing = decoration.health == .failing
        let border: Role = selected ? .borderFocus : (failing ? .error : .border)
        // The title is the name; a queue/DLQ/… kind mark keeps boxes of different kinds apart.
        buffer.box(rect, role: border, title: kindMark(node.kind) + node.name,
                   titleRole: selected ? .selection : (failing ? .error : .title), heavy: failing || selected)
        for row in box.outRows where row - box.rect.y > 0 && row - box.rect.y < box.rect.height - 1 {
            buffer.fill(Rect(x: rect.maxX - 1, y: corner.y + row - box.rect.y, width: 1, height: 1), role: border,
                        with: failing || selected ? "┠" : "├")
        }
        let badge = (decoration.symbol ?? decoration.health.symbol) + " " + (decoration.badge.isEmpty ? node.kind.label : decoration.badge)
        let badgeRole = decoration.role ?? healthRole(decoration.health)
        buffer.put(badge, x: rect.x + 1, y: rect.y + 1, role: badgeRole, maxWidth: rect.width - 2)
        if let root = decoration.cascadeRoot, rect.width > 6 {
            buffer.put(" ⇢ " + root + " ", x: rect.x + 2, y: rect.maxY - 1, role: .warn, maxWidth: rect.width - 4)
        } else if let footer = decoration.footer, rect.width > 6 {
            buffer.put(" " + footer + " ", x: rect.x + 2, y: rect.maxY - 1, role: badgeRole, maxWidth: rect.width - 4)
        }
    }

    /// A one-cell prefix naming the node's kind in its title.
    public static func kindMark(_ kind: MapNodeKind) -> String {
        switch kind {
        case .source: "◇ "
        case .service: "◆ "
        case .bus: "≡ "
        case .stateMachine: "⚙ "
        case .queue: "▤ "
        case .task: "▸ "
        case .deadLetterQueue: "☠ "
        case .dependency: "◎ "
        case .external: "? "
        case .state: ""
        case .join: "⊣ "
        }
    }
}
