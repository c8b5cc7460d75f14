import Testing
import TerminalUI

/// Renders `widget` into a fresh w x h grid filled with the theme background.
func rendered(_ widget: some Widget, width: Int, height: Int, glyphs: Glyphs = .unicode,
              theme: Theme = .default) -> Grid {
    var grid = Grid(width: width, height: height, glyphs: glyphs, fill: theme.blank)
    widget.render(into: &grid, area: grid.bounds, theme: theme)
    return grid
}

/// Expects the grid's text lines, printing both versions on failure.
func expectLines(_ grid: Grid, _ expected: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    let actual = grid.textLines()
    #expect(actual == expected, "\nactual:\n\(actual.joined(separator: "\n"))\nexpected:\n\(expected.joined(separator: "\n"))",
            sourceLocation: sourceLocation)
}

let t = Theme.default
