/// How one segment of a `Rect.rows` / `Rect.columns` split is sized.
///
/// Resolution, in order:
/// 1. every segment gets its base size: `fixed(n)` → n, `percentage(p)` → ⌊total·p/100⌋,
///    `min(n)` → n, `fill(w)` → 0;
/// 2. if the bases do not fit, LATER segments are shortened first (down to 0), so a layout of
///    `[title, body, keys]` keeps its title on a tiny terminal;
/// 3. space left over is shared by `fill` and `min` segments in proportion to their weights
///    (`min` weighs 1); integer remainders go to the earliest of them. Without any such segment
///    the leftover stays unused at the end.
public enum Constraint: Hashable, Sendable {
    case fixed(Int)
    case percentage(Int)
    case min(Int)
    case fill(Int)

    /// `fill(1)`: take an equal share of whatever is left.
    public static var fill: Constraint { .fill(1) }

    /// The sizes of the segments for `total` cells, `spacing` cells between segments.
    public static func resolve(_ constraints: [Constraint], total: Int, spacing: Int = 0) -> [Int] {
        let n = constraints.count
        guard n > 0 else { return [] }
        let gaps = Swift.max(0, spacing) * (n - 1)
        let available = Swift.max(0, total - gaps)
        var sizes = constraints.map { c -> Int in
            switch c {
            case .fixed(let v): return Swift.max(0, v)
            case .percentage(let p): return available * Swift.min(Swift.max(0, p), 100) / 100
            case .min(let v): return Swift.max(0, v)
            case .fill: return 0
            }
        }
        // Too much asked: take cells away from the end first.
        var excess = sizes.reduce(0, +) - available
        var i = n - 1
        while excess > 0 && i >= 0 {
            let cut = Swift.min(sizes[i], excess)
            sizes[i] -= cut
            excess -= cut
            i -= 1
        }
        // Room to spare: share it among the growable segments by weight.
        var leftover = available - sizes.reduce(0, +)
        let weights = constraints.map { c -> Int in
            switch c {
            case .fill(let w): return Swift.max(0, w)
            case .min: return 1
            default: return 0
            }
        }
        let totalWeight = weights.reduce(0, +)
        if leftover > 0 && totalWeight > 0 {
            var given = 0
            for k in 0..<n where weights[k] > 0 {
                let share = leftover * weights[k] / totalWeight
                sizes[k] += share
                given += share
            }
            leftover -= given
            for k in 0..<n where weights[k] > 0 && leftover > 0 {
                sizes[k] += 1
                leftover -= 1
            }
        }
        return sizes
    }
}
