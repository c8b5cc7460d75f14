/// What a backend reads from the user: a key, or a change of the drawable size.
///
/// ratatui's model (crossterm's `Event`): input comes through the backend, so the app's run loop
/// is written once against `TerminalBackend` and runs the same on a terminal and on a scripted
/// `MemoryBackend` in tests.
public enum InputEvent: Hashable, Sendable {
    case key(Key)
    /// The drawable size changed; read the backend's new `size`.
    case resize
}
