import Testing
import TerminalUI

@Suite struct Xterm256Tests {
    @Test func requiredVectors() {
        #expect(Palette.xterm256(RGB(100, 0, 0)) == 52)
        #expect(Palette.xterm256(RGB(128, 128, 128)) == 244)
        #expect(Palette.xterm256(RGB(255, 255, 255)) == 231)
    }

    @Test func moreVectors() {
        #expect(Palette.xterm256(RGB(0, 0, 0)) == 16)
        #expect(Palette.xterm256(RGB(255, 0, 0)) == 196)
        #expect(Palette.xterm256(RGB(0, 255, 0)) == 46)
        #expect(Palette.xterm256(RGB(0, 0, 255)) == 21)
        #expect(Palette.xterm256(RGB(8, 8, 8)) == 232)       // darkest grey is exact
        #expect(Palette.xterm256(RGB(238, 238, 238)) == 255)  // lightest grey is exact
        #expect(Palette.xterm256(RGB(95, 135, 175)) == 16 + 36 * 1 + 6 * 2 + 3)
    }

    @Test func channelCutsAtMidpoints() {
        // Midpoints between 0,95,135,175,215,255 are 47.5, 115, 155, 195, 235.
        #expect([47, 48, 114, 115, 154, 155, 194, 195, 234, 235].map(Palette.cubeIndex) == [0, 1, 1, 2, 2, 3, 3, 4, 4, 5])
    }

    @Test func everyIndexMapsToItself() {
        // The palette's own colours must map back to an index with the same RGB.
        for i in 16...255 {
            let c = Palette.rgb(ofXterm256: i)
            #expect(Palette.rgb(ofXterm256: Palette.xterm256(c)) == c, "index \(i)")
        }
    }

    @Test func choiceIsTheCloserCandidate() {
        // On a lattice of colours: the result is never farther than the best of the 24 greys
        // (brute force) nor than the cube colour chosen by per-channel midpoint cuts.
        for r in stride(from: 0, through: 255, by: 17) {
            for g in stride(from: 0, through: 255, by: 15) {
                for b in stride(from: 3, through: 255, by: 12) {
                    let c = RGB(UInt8(r), UInt8(g), UInt8(b))
                    let chosen = c.squaredDistance(to: Palette.rgb(ofXterm256: Palette.xterm256(c)))
                    let greys = (232...255).map { c.squaredDistance(to: Palette.rgb(ofXterm256: $0)) }.min()!
                    let cube = 16 + 36 * Palette.cubeIndex(r) + 6 * Palette.cubeIndex(g) + Palette.cubeIndex(b)
                    #expect(chosen <= greys, "\(c)")
                    #expect(chosen <= c.squaredDistance(to: Palette.rgb(ofXterm256: cube)), "\(c)")
                }
            }
        }
        #expect(Palette.xterm256(RGB(68, 51, 39)) == 232 + 4)  // mean 52.67: grey 48, not 58
    }
}

@Suite struct Ansi16Tests {
    @Test func nearestByDistance() {
        #expect(Palette.ansi16(RGB(0, 0, 0)) == 0)
        #expect(Palette.ansi16(RGB(250, 10, 10)) == 9)
        #expect(Palette.ansi16(RGB(190, 0, 0)) == 1)
        #expect(Palette.ansi16(RGB(255, 255, 255)) == 15)
        #expect(Palette.ansi16(RGB(120, 125, 130)) == 8)
        #expect(Palette.ansi16(Theme.default.mainBg) == 0)
    }
}

@Suite struct ColorModeTests {
    @Test func detection() {
        #expect(ColorMode.detect(environment: ["COLORTERM": "truecolor", "TERM": "xterm"]) == .direct)
        #expect(ColorMode.detect(environment: ["COLORTERM": "24bit"], terminalColors: 8) == .direct)
        #expect(ColorMode.detect(environment: ["TERM": "xterm-direct"]) == .direct)
        #expect(ColorMode.detect(environment: ["TERM": "xterm-256color"]) == .xterm256)
        #expect(ColorMode.detect(environment: ["TERM": "xterm"], terminalColors: 256) == .xterm256)
        #expect(ColorMode.detect(environment: ["TERM": "xterm-256color"], terminalColors: 8) == .ansi16)
        #expect(ColorMode.detect(environment: ["TERM": "linux"]) == .ansi16)
        #expect(ColorMode.detect(environment: [:]) == .ansi16)
    }

    @Test func namesAndQuantize() {
        #expect(ColorMode(name: "truecolor") == .direct)
        #expect(ColorMode(name: "256") == .xterm256)
        #expect(ColorMode(name: "16") == .ansi16)
        #expect(ColorMode(name: "many") == nil)
        #expect(ColorMode.xterm256.quantize(RGB(100, 0, 0)) == RGB(95, 0, 0))
        #expect(ColorMode.direct.quantize(RGB(1, 2, 3)) == RGB(1, 2, 3))
        #expect(ColorMode.ansi16.quantize(RGB(250, 10, 10)) == RGB(255, 0, 0))
    }
}

@Suite struct RGBAndRampTests {
    @Test func hexRoundTrip() {
        #expect(RGB(hexString: "#0e1116") == RGB(14, 17, 22))
        #expect(RGB(hexString: "FFfF00") == RGB(255, 255, 0))
        #expect(RGB(hexString: "#fff") == nil)
        #expect(RGB(hexString: "#12345g") == nil)
        #expect(RGB(14, 17, 22).hexString == "#0e1116")
        #expect(RGB(unit: -1, 0.5, .nan) == RGB(0, 128, 0))
    }

    @Test func rampInterpolatesBetweenStops() {
        let ramp = ColorRamp([RGB(0, 0, 0), RGB(200, 100, 0), RGB(200, 200, 200)])
        #expect(ramp.color(at: 0) == RGB(0, 0, 0))
        #expect(ramp.color(at: 0.25) == RGB(100, 50, 0))
        #expect(ramp.color(at: 0.5) == RGB(200, 100, 0))
        #expect(ramp.color(at: 1) == RGB(200, 200, 200))
        #expect(ramp.color(at: 7) == RGB(200, 200, 200))
        #expect(ramp.color(at: .nan) == RGB(0, 0, 0))
        #expect(ramp.color(of: 5, lower: 5, upper: 5) == RGB(0, 0, 0))
        #expect(ColorRamp([]).color(at: 0.3) == .black)
    }
}
