/// Mappings from 24-bit colours to the xterm-256 and 16-colour palettes.
///
/// xterm-256 follows chafa: only indices 16...255 are candidates (0...15 are user-configurable
/// in most terminals, so their RGB is unknown). Candidates are the 6x6x6 cube with channel
/// levels 0, 95, 135, 175, 215, 255 — each channel takes its nearest level by cutting at the
/// midpoints between levels — and the nearest of the 24 greys 8 + 10k; the closer of the two by
/// squared RGB distance wins (the cube on a tie).
public enum Palette {
    /// The six channel levels of the xterm colour cube.
    public static let cubeLevels: [Int] = [0, 95, 135, 175, 215, 255]

    /// The xterm-256 index (16...255) nearest to `color`.
    public static func xterm256(_ color: RGB) -> Int {
        let ri = cubeIndex(Int(color.r)), gi = cubeIndex(Int(color.g)), bi = cubeIndex(Int(color.b))
        let cubeColor = RGB(UInt8(cubeLevels[ri]), UInt8(cubeLevels[gi]), UInt8(cubeLevels[bi]))
        let cube = 16 + 36 * ri + 6 * gi + bi

        // Grey ramp: 232 + k has level 8 + 10k, k in 0...23. The nearest grey by squared distance
        // is the one nearest to the channel mean: k = round((sum/3 - 8) / 10) = round((sum - 24) / 30),
        // computed exactly in integers (rounding the mean first can pick the wrong neighbour).
        let sum = Int(color.r) + Int(color.g) + Int(color.b)
        let k = min(max((sum - 24 + 15) / 30, 0), 23)
        let level = UInt8(8 + 10 * k)
        let greyColor = RGB(level, level, level)

        return color.squaredDistance(to: greyColor) < color.squaredDistance(to: cubeColor) ? 232 + k : cube
    }

    /// The nearest cube level index (0...5) for one channel value, cutting at the midpoints
    /// 47.5, 115, 155, 195, 235.
    public static func cubeIndex(_ v: Int) -> Int {
        if v < 48 { return 0 }
        if v < 115 { return 1 }
        // Above 95 the levels are 40 apart starting at 135: midpoints 155, 195, 235.
        return min(5, (v - 115) / 40 + 2)
    }

    /// The RGB value xterm shows for palette index `index` (0...255; 0...15 use `ansi16Colors`).
    public static func rgb(ofXterm256 index: Int) -> RGB {
        let i = min(max(index, 0), 255)
        if i < 16 { return ansi16Colors[i] }
        if i >= 232 {
            let level = UInt8(8 + 10 * (i - 232))
            return RGB(level, level, level)
        }
        let c = i - 16
        return RGB(UInt8(cubeLevels[c / 36]), UInt8(cubeLevels[(c / 6) % 6]), UInt8(cubeLevels[c % 6]))
    }

    /// xterm's default RGB for the 16 ANSI colours (0-7 normal, 8-15 bright). Terminals differ;
    /// these are the reference values used for nearest-colour matching.
    public static let ansi16Colors: [RGB] = [
        RGB(0, 0, 0), RGB(205, 0, 0), RGB(0, 205, 0), RGB(205, 205, 0),
        RGB(0, 0, 238), RGB(205, 0, 205), RGB(0, 205, 205), RGB(229, 229, 229),
        RGB(127, 127, 127), RGB(255, 0, 0), RGB(0, 255, 0), RGB(255, 255, 0),
        RGB(92, 92, 255), RGB(255, 0, 255), RGB(0, 255, 255), RGB(255, 255, 255),
    ]

    /// The ANSI colour index (0...15) nearest to `color` by squared RGB distance (lowest index on a tie).
    public static func ansi16(_ color: RGB) -> Int {
        var best = 0
        var bestDistance = Int.max
        for (i, c) in ansi16Colors.enumerated() {
            let d = color.squaredDistance(to: c)
            if d < bestDistance {
                best = i
                bestDistance = d
            }
        }
        return best
    }
}
