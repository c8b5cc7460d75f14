import Foundation
import Testing
import TerminalUI

@Suite struct ThemeParsingTests {
    @Test func parsesKeysCommentsAndBlankLines() {
        let text = """
        # a comment
        theme[main_bg]="#102030"

          theme[ hi_fg ] = '#ABCDEF'   # trailing comment
        theme[series_a]=#010203
        """
        let (theme, warnings) = Theme.parse(text, name: "x")
        #expect(warnings.isEmpty)
        #expect(theme.name == "x")
        #expect(theme.mainBg == RGB(0x10, 0x20, 0x30))
        #expect(theme.hiFg == RGB(0xab, 0xcd, 0xef))
        #expect(theme.seriesA == RGB(1, 2, 3))
        #expect(theme.mainFg == Theme.default.mainFg)  // missing key: default
    }

    @Test func unknownKeysIgnoredBadValuesWarned() {
        let text = """
        theme[cpu_box]="#ffffff"
        theme[main_fg]="#12345"
        theme[title]="red"
        theme[loss]=""
        nonsense line
        theme[ok]="#00ff00
        """
        let (theme, warnings) = Theme.parse(text, name: "bad", source: "/tmp/bad.theme")
        #expect(warnings.count == 4)
        #expect(warnings[0].contains("line 2") && warnings[0].contains("main_fg"))
        #expect(warnings[2].contains("line 5"))
        #expect(warnings.allSatisfy { $0.contains("/tmp/bad.theme") })
        var expected = Theme.default
        expected.name = "bad"
        #expect(theme == expected)
    }

    @Test func emptyTextIsTheDefault() {
        var expected = Theme.default
        expected.name = "empty"
        #expect(Theme.parse("", name: "empty") == (expected, []))
        #expect(Theme.parse("\r\n\n  \n", name: "empty").theme == expected)
    }

    @Test func windowsLineEndings() {
        let (theme, warnings) = Theme.parse("theme[ok]=\"#010101\"\r\ntheme[warn]=\"#020202\"\r\n", name: "crlf")
        #expect(warnings.isEmpty)
        #expect(theme.ok == RGB(1, 1, 1) && theme.warn == RGB(2, 2, 2))
    }

    @Test func unreadableFileGivesDefaultAndWarning() {
        let (theme, warnings) = Theme.load(path: "/nonexistent/dir/none.theme")
        #expect(theme == Theme.default)
        #expect(warnings.count == 1 && warnings[0].contains("/nonexistent/dir/none.theme"))
    }

    @Test func loadNamesThemeAfterFile() throws {
        let path = NSTemporaryDirectory() + "ddpm-theme-test-\(getpid()).theme"
        try "theme[cursor]=\"#112233\"\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (theme, warnings) = Theme.load(path: path)
        #expect(warnings.isEmpty)
        #expect(theme.name == "ddpm-theme-test-\(getpid())")
        #expect(theme.cursor == RGB(0x11, 0x22, 0x33))
        #expect(Theme.resolve(path).theme.cursor == RGB(0x11, 0x22, 0x33))
    }

    @Test func builtinsAndResolve() {
        #expect(Theme.builtinNames == ["default", "light", "high-contrast"])
        #expect(Theme.named("default") == Theme.default)
        #expect(Theme.named("light")?.mainBg == RGB(hexString: "#f7f7f4"))
        #expect(Theme.named("high-contrast")?.graphLow == RGB(hexString: "#440154"))
        #expect(Theme.named("nope") == nil)
        let (theme, warnings) = Theme.resolve("nope")
        #expect(theme == Theme.default && warnings.count == 1 && warnings[0].contains("light"))
    }

    @Test func everyKeyIsDistinctAndSettable() {
        let names = Theme.keys.map(\.key)
        #expect(Set(names).count == names.count)
        for (i, entry) in Theme.keys.enumerated() {
            let (theme, _) = Theme.parse("theme[\(entry.key)]=\"#0000\(String(format: "%02x", i))\"", name: "k")
            #expect(theme[keyPath: entry.path] == RGB(0, 0, UInt8(i)), "\(entry.key)")
        }
    }
}

/// The embedded theme texts must equal the files in Themes/ (read via #filePath).
/// Re-record with `DDPM_RECORD_THEMES=1 swift test --filter BuiltinThemeFiles`.
@Suite struct BuiltinThemeFiles {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func fileText(_ name: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent("Themes/\(name).theme"), encoding: .utf8)
    }

    @Test func embeddedTextsMatchFiles() throws {
        if ProcessInfo.processInfo.environment["DDPM_RECORD_THEMES"] == "1" { try record() }
        for (name, text) in BuiltinThemes.all {
            #expect(text == (try Self.fileText(name)), "Themes/\(name).theme differs from BuiltinThemes; re-record")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("Themes").path)
            .filter { $0.hasSuffix(".theme") }.map { String($0.dropLast(6)) }.sorted()
        #expect(files == Theme.builtinNames.sorted())
    }

    @Test func builtinFilesParseCleanlyAndCompletely() throws {
        for name in Theme.builtinNames {
            let text = try Self.fileText(name)
            let (_, warnings) = Theme.parse(text, name: name)
            #expect(warnings.isEmpty, "\(name): \(warnings)")
            for entry in Theme.keys {
                #expect(text.contains("theme[\(entry.key)]="), "\(name).theme lacks \(entry.key)")
            }
        }
    }

    @Test func defaultFileEqualsBuiltinDefault() throws {
        #expect(Theme.parse(try Self.fileText("default"), name: "default").theme == Theme.default)
    }

    /// Rewrites Sources/TerminalUI/Theme/BuiltinThemes.swift from the theme files.
    func record() throws {
        let variables = ["default": "defaultText", "light": "lightText", "high-contrast": "highContrastText"]
        var out = """
        // GENERATED from Themes/*.theme — do not edit by hand. After changing a theme file, regenerate:
        //   DDPM_RECORD_THEMES=1 swift test --filter BuiltinThemeFiles
        // A test compares every text below with its file, so the two cannot drift apart silently.

        /// The built-in theme files, embedded so the binary needs no files at run time.
        public enum BuiltinThemes {
            /// (name, file text) for every built-in theme, default first.
            public static let all: [(name: String, text: String)] = [
                ("default", defaultText),
                ("light", lightText),
                ("high-contrast", highContrastText),
            ]

        """
        for name in ["default", "light", "high-contrast"] {
            let text = try Self.fileText(name)
            out += "\n    /// The text of `Themes/\(name).theme`.\n"
            out += "    public static let \(variables[name]!) = #\"\"\"\n"
            for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
                out += line.isEmpty ? "\n" : "    \(line)\n"
            }
            out += "\n    \"\"\"#\n"
        }
        out += "}\n"
        try out.write(to: Self.root.appendingPathComponent("Sources/TerminalUI/Theme/BuiltinThemes.swift"),
                      atomically: true, encoding: .utf8)
    }
}
