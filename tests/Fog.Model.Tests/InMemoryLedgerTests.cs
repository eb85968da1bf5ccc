using Fog.Model.Ledger;
using Fog.Testing.Ledger;

namespace Fog.Model.Tests;

public class InMemoryLedgerTests : LedgerStoreContract
{
    protected override ILedgerStore CreateStore() => new InMemoryLedger();
}
