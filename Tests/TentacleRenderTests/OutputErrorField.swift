@testable import TentacleRender

/// The `field` of the OutputError `body` throws; nil when it succeeds, the error's text when it throws something else.
func outputErrorField(_ body: () throws -> some Any) -> String? {
    do {
        _ = try body()
        return nil
    } catch let error as OutputError {
        return error.field
    } catch {
        return "\(error)"
    }
}
