import ArgumentParser
import FluxDispatchStore

struct DismissCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dismiss",
        abstract: "Hide a product's failure callout for an operator (as `d` in the dashboard).",
        discussion: """
            The dismissal is stored in the state store and shared by that operator's dashboards. It stops
            counting when a newer failure of the product arrives: the callout comes back.

            Examples:
              flux-dispatch dismiss dialogporten
              flux-dispatch dismiss storage --operator alice --db /var/lib/flux-dispatch/state.db
            """
    )

    @Argument(help: "The product, as in the Alert's eventMetadata.product.")
    var product: String

    @Option(name: .customLong("operator"), help: "Whose dismissal; default: the Unix user.")
    var operatorName: String?

    @OptionGroup var store: StoreOptions

    func run() async throws {
        let state = store.openExisting()
        let who = operatorName ?? UnixUser.name
        try await state.dismiss(product: product, operatorName: who, at: .now())
        print("dismissed \(product) for \(who)")
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

    @Argument(help: "The product.")
    var product: String

    @Option(name: .customLong("operator"), help: "Whose dismissal; default: the Unix user.")
    var operatorName: String?

    @OptionGroup var store: StoreOptions

    func run() async throws {
        let state = store.openExisting()
        let who = operatorName ?? UnixUser.name
        if try await state.undismiss(product: product, operatorName: who) {
            print("undismissed \(product) for \(who)")
        } else {
            print("\(product) was not dismissed by \(who)")
        }
    }
}
