/// Maps (foreground, background) colour numbers to terminal colour-pair numbers, recycling
/// pairs so a long session with changing images never runs out.
///
/// curses draws colour through numbered pairs, and a terminal has a fixed number of them
/// (COLOR_PAIRS: 65536 with ncurses 6 on xterm-256color, as few as 64 elsewhere). Images need
/// one pair per distinct (upper, lower) pixel pair, and every new sample brings new ones.
///
/// Recycling rule: pairs form one least-recently-used list, and a pair used by the frame being
/// drawn is never evicted. Redefining a pair repaints every cell still showing it, so eviction
/// is safe only for pairs absent from the current frame: any cell that still shows such a pair
/// necessarily changes in this frame and is rewritten. Hence the two-pass protocol:
/// 1. `beginFrame()`, then `touch` the key of EVERY cell of the frame (marks live pairs);
/// 2. `pair(for:)` for cells that need writing: cached, newly assigned (the caller defines it),
///    or `nil` when every pair is live in this frame (draw with the default pair 0).
/// This one pool serves UI colours and images alike: the few UI pairs are used every frame and
/// so are never evicted — they behave as a reserved range, while image pairs cycle.
public struct PairCache: Sendable {
    /// A colour pair request: terminal colour numbers (palette indices or packed RGB).
    public struct Key: Hashable, Sendable {
        public var fg: Int32
        public var bg: Int32
        public init(fg: Int32, bg: Int32) {
            self.fg = fg
            self.bg = bg
        }
    }

    /// The result of a lookup.
    public enum Assignment: Equatable, Sendable {
        /// The pair already holds these colours.
        case cached(Int32)
        /// The pair was (re)assigned; the caller must define it (`init_extended_pair`).
        case assigned(Int32)
    }

    /// The first pair number handed out (1: pair 0 is the terminal's default).
    public let firstPair: Int32
    /// How many pair numbers the cache manages (`firstPair ..< firstPair + capacity`).
    public let capacity: Int

    private var slotOf: [Key: Int] = [:]
    private var keys: [Key?]
    private var lastFrame: [UInt64]
    // Doubly linked LRU list of slots: head = most recent, tail = least recent; -1 = none.
    private var prev: [Int]
    private var next: [Int]
    private var head = -1
    private var tail = -1
    private var used = 0
    private var frame: UInt64 = 1
    /// Pairs assigned over the cache's life (for diagnostics).
    public private(set) var assignments = 0
    /// Requests that found every pair live in the current frame (for diagnostics).
    public private(set) var overflows = 0

    public init(firstPair: Int32 = 1, capacity: Int) {
        self.firstPair = firstPair
        self.capacity = max(0, capacity)
        keys = Array(repeating: nil, count: self.capacity)
        lastFrame = Array(repeating: 0, count: self.capacity)
        prev = Array(repeating: -1, count: self.capacity)
        next = Array(repeating: -1, count: self.capacity)
    }

    /// Starts a new frame: pairs touched from now on are protected from eviction.
    public mutating func beginFrame() { frame += 1 }

    /// Marks the pair holding `key`, if any, as used by the current frame.
    public mutating func touch(_ key: Key) {
        guard let slot = slotOf[key] else { return }
        use(slot)
    }

    /// The pair for `key`: cached, or assigned from a free or evictable slot; nil when every
    /// pair is in use by the current frame.
    public mutating func pair(for key: Key) -> Assignment? {
        if let slot = slotOf[key] {
            use(slot)
            return .cached(firstPair + Int32(slot))
        }
        let slot: Int
        if used < capacity {
            slot = used
            used += 1
        } else {
            guard tail >= 0, lastFrame[tail] < frame else {
                overflows += 1
                return nil
            }
            slot = tail
            if let old = keys[slot] { slotOf[old] = nil }
        }
        keys[slot] = key
        slotOf[key] = slot
        use(slot)
        assignments += 1
        return .assigned(firstPair + Int32(slot))
    }

    /// Forgets every assignment (after the terminal's pairs were reset).
    public mutating func removeAll() {
        self = PairCache(firstPair: firstPair, capacity: capacity)
    }

    /// The number of pairs currently assigned.
    public var count: Int { slotOf.count }

    private mutating func use(_ slot: Int) {
        lastFrame[slot] = frame
        guard head != slot else { return }
        // Unlink (if linked), then push at the head.
        let p = prev[slot], n = next[slot]
        if p >= 0 { next[p] = n }
        if n >= 0 { prev[n] = p }
        if tail == slot { tail = p }
        prev[slot] = -1
        next[slot] = head
        if head >= 0 { prev[head] = slot }
        head = slot
        if tail < 0 { tail = slot }
    }
}
