import DiffusionEngine
import Foundation

/// A lock-protected box holding the newest value: one thread writes, others read copies.
public final class Latest<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    private var version: Int = 0

    public init(_ value: Value) { self.value = value }

    /// The newest value and a counter that grows with every write.
    public func read() -> (value: Value, version: Int) {
        lock.lock(); defer { lock.unlock() }
        return (value, version)
    }

    public func write(_ v: Value) {
        lock.lock(); defer { lock.unlock() }
        value = v
        version += 1
    }

    public func update(_ body: (inout Value) -> Void) {
        lock.lock(); defer { lock.unlock() }
        body(&value)
        version += 1
    }
}
