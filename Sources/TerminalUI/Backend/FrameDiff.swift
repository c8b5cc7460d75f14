/// Which cells of a new frame differ from the previous one — the only cells a backend writes.
public enum FrameDiff {
    /// Row-major indices (`y * width + x`) of the cells of `current` that must be written:
    /// all of them when there is no previous frame or its size differs.
    public static func changedIndices(previous: Grid?, current: Grid) -> [Int] {
        guard let previous, previous.width == current.width, previous.height == current.height else {
            return Array(0..<current.cells.count)
        }
        var out: [Int] = []
        let old = previous.cells, new = current.cells
        for i in 0..<new.count where old[i] != new[i] { out.append(i) }
        return out
    }
}
