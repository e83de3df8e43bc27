import ArgumentParser
import FluxDispatchStore

/// What `dismiss` and `undismiss` both take: the product, whose dismissal, and the store.
struct DismissalArguments: ParsableArguments {
    @Argument(help: "The product, as in the Alert's eventMetadata.product.")
    var product: String

    @Option(name: .customLong("operator"), help: "Whose dismissal; default: the Unix user.")
    var operatorName: String?

    @OptionGroup var store: StoreOptions

    var who: String { operatorName ?? UnixUser.name }
}

struct DismissCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dismiss",
        abstract: "Hide a product's failure callout for an operator (as `d` in the dashboard).",
        discussion: """
            The dismissal is stored in the state store and shared by that operator's dashboards. It stops \
            counting when a newer failure of the product arrives: the callout comes back.

            Examples:
              flux-dispatch dismiss dialogporten
              flux-dispatch dismiss storage --operator alice \\
                --db /var/lib/flux-dispatch/state.db
            """
    )

    @OptionGroup var arguments: DismissalArguments

    func run() async throws {
        let state = arguments.store.openExisting()
        try await state.dismiss(product: arguments.product, operatorName: arguments.who, at: .now())
        print("dismissed \(arguments.product) for \(arguments.who)")
    }
}

struct UndismissCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "undismiss",
        abstract: "Show a product's failure callout again for an operator (as `u` in the dashboard).",
        discussion: """
            Examples:
              flux-dispatch undismiss dialogporten
              flux-dispatch undismiss storage --operator alice
            """
    )

    @OptionGroup var arguments: DismissalArguments

    func run() async throws {
        let state = arguments.store.openExisting()
        if try await state.undismiss(product: arguments.product, operatorName: arguments.who) {
            print("undismissed \(arguments.product) for \(arguments.who)")
        } else {
            print("\(arguments.product) was not dismissed by \(arguments.who)")
        }
    }
}
