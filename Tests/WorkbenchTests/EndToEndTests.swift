import Foundation
import Testing

/// `ddpm` as a user runs it: started in a detached tmux session, driven with keys, read back with
/// `capture-pane`. Skips (with a message) when tmux is not installed or the binary does not take
/// the workbench flags yet. Every wait polls the pane against a deadline; the tmux server (its own
/// socket) is killed whatever happens.
@Suite(.serialized) struct EndToEndTests {
    @Test func visitEveryScreenStepTheChainCompareAndQuit() throws {
        guard let tmux = Self.executable("tmux") else {
            print("EndToEndTests: tmux is not installed; skipping the end-to-end test")
            return
        }
        guard let ddpm = Self.ddpmBinary() else {
            print("EndToEndTests: no built ddpm binary next to the tests; skipping")
            return
        }
        guard Self.run(ddpm, ["open", "--help"]).contains("--preset") else {
            print("EndToEndTests: \(ddpm) open --help lists no --preset (the CLI does not wire the workbench yet); skipping")
            return
        }
        let out = NSTemporaryDirectory() + "ddpm-e2e-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let pane = TmuxPane(tmux: tmux, socket: "ddpm-e2e-\(getpid())")
        defer {
            pane.kill()
            try? FileManager.default.removeItem(atPath: out)
        }
        let command = "LANG=C.UTF-8 \(ddpm) --preset fixture --steps 100000 --timesteps 50 --save-every 100000 --samples 4 --out \(out); echo DDPM-EXIT=$?; sleep 60"
        try pane.start(command, width: 160, height: 50)
        _ = pane.tmuxRun(["set-option", "-t", pane.session, "remain-on-exit", "on"])

        // 1 Train: the loss is live.
        try pane.waitFor("Loss (log scale)")
        try pane.waitFor { $0.contains("smoothed") }

        // 2 Schedule: the cursor moves.
        pane.send("2")
        try pane.waitFor("t = 25 of 0-49")
        pane.send("Right")
        try pane.waitFor("t = 26 of 0-49")

        // 3 Denoise (Tab): step forward twice, back once.
        pane.send("Tab")
        try pane.waitFor("x_t  (t = 49)")
        pane.send("Right")
        pane.send("Right")
        try pane.waitFor("x_t  (t = 47)")
        pane.send("Left")
        try pane.waitFor("x_t  (t = 48)")
        try pane.waitFor("t = 48 → t = 47")

        // 4 Compare: flip "final step t=0" in B and read the measured verdict.
        pane.send("Tab")
        try pane.waitFor("Switches: A | B")
        pane.send("2")
        try pane.waitFor("final step t=0: identical within float rounding (max |Δ| 0)")

        // 5 Help, then back to Train with a digit.
        pane.send("Tab")
        try pane.waitFor("Keys on every screen")
        pane.send("1")
        try pane.waitFor("Loss by timestep")

        // q: training saves, the terminal is restored, one line says how to resume.
        pane.send("q")
        let end = try pane.waitFor("DDPM-EXIT=", timeout: 120)
        #expect(end.contains("DDPM-EXIT=0"))
        #expect(end.contains("checkpoint saved to \(out)/checkpoint.safetensors"))
        #expect(end.contains("Resume: ddpm --checkpoint"))
        #expect(FileManager.default.fileExists(atPath: out + "/checkpoint.safetensors"))
    }

    // MARK: Helpers

    static func executable(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let p = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    /// The `ddpm` built with the tests: next to the test bundle, else under .build of this package.
    static func ddpmBinary(file: String = #filePath) -> String? {
        let bundleDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
        let root = URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        for candidate in [bundleDir + "/ddpm", root + "/.build/debug/ddpm", root + "/.build/release/ddpm"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return nil
    }

    /// Runs a program to completion and returns its stdout and stderr.
    static func run(_ path: String, _ arguments: [String]) -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch { return "" }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

/// One tmux pane on a private server socket.
struct TmuxPane {
    let tmux: String
    let socket: String
    let session = "ddpm"

    func tmuxRun(_ args: [String]) -> String { EndToEndTests.run(tmux, ["-L", socket] + args) }

    /// Starts the server and the session. Not through `Process`: the server daemonizes, keeps
    /// any pipe open (a read would never end) and inherits the test thread's signal mask (test
    /// runners block SIGINT/SIGTERM, and Ctrl-C in the pane would not reach the program).
    func start(_ command: String, width: Int, height: Int) throws {
        let args = [tmux, "-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", session,
                    "-x", "\(width)", "-y", "\(height)", command]
        let status = TmuxPane.spawnClean(args)
        guard status == 0 else {
            Issue.record("tmux new-session exited with \(status)")
            throw CancellationError()
        }
    }

    /// posix_spawn with an empty signal mask, default dispositions and /dev/null for stdio;
    /// waits for the (client) process and returns its exit status.
    static func spawnClean(_ args: [String]) -> Int32 {
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attr, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for sig in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE] { sigaddset(&defaults, sig) }
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in [0, 1, 2] { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0) }
        var cargs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        defer { for p in cargs { free(p) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, args[0], &actions, &attr, &cargs, environ) == 0 else { return -1 }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return (status >> 8) & 0xFF
    }

    func send(_ key: String) { _ = tmuxRun(["send-keys", "-t", session, key]) }

    func capture() -> String { tmuxRun(["capture-pane", "-p", "-t", session]) }

    /// Stops the server and removes its socket file (tmux leaves it behind after kill-server).
    func kill() {
        let path = tmuxRun(["display-message", "-p", "#{socket_path}"]).trimmingCharacters(in: .whitespacesAndNewlines)
        _ = tmuxRun(["kill-server"])
        if path.hasPrefix("/") { try? FileManager.default.removeItem(atPath: path) }
    }

    /// Waits until the pane shows `text`. - Returns: the pane at that moment.
    @discardableResult
    func waitFor(_ text: String, timeout: Double = 60, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try waitFor(timeout: timeout, sourceLocation: sourceLocation) { $0.contains(text) }
    }

    @discardableResult
    func waitFor(timeout: Double = 60, sourceLocation: SourceLocation = #_sourceLocation, _ ok: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = capture()
            if ok(last) { return last }
            usleep(100_000)
        }
        Issue.record("the pane never showed what was expected; it shows:\n\(last)", sourceLocation: sourceLocation)
        throw CancellationError()
    }
}
