using System.Diagnostics;
using System.Text.RegularExpressions;
using Fog.Api.Node;
using Fog.Model.Keys;
using Fog.Model.Ledger;
using Fog.Services.BlockSources;
using Fog.Storage.Ledger;
using Fog.Testing.Network;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fog.Node.Tests;

/// <summary>Following the chain: from a remote node into a local copy, and from a local ledger another process writes.</summary>
public sealed partial class BlockSourceTests
{
    private static async Task FaucetAsync(GrpcChannel admin, byte seed)
    {
        using var account = AccountKey.FromRootEntropy(Enumerable.Repeat(seed, 32).ToArray());
        var response = await new NodeAdminAPI.NodeAdminAPIClient(admin).FaucetAsync(new FaucetRequest { B58Address = account.DefaultSubaddress.ToB58(), Amount = 1_000_000 });
        Assert.Equal("", response.Error);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting until {what}.");
            await Task.Delay(20);
        }
    }

    private static void AssertSameChain(ILedgerStore expected, ILedgerStore actual)
    {
        Assert.Equal(expected.NumBlocks, actual.NumBlocks);
        for (ulong i = 0; i < expected.NumBlocks; i++)
        {
            Assert.Equal(expected.GetBlockData(i)!.Block.Id.ToArray(), actual.GetBlockData(i)!.Block.Id.ToArray());
        }

        Assert.Equal(expected.GetRootElement(), actual.GetRootElement());
    }

    [Fact]
    public async Task Remote_follower_reaches_the_node_block_ids_and_resumes_after_restart()
    {
        var node = await TestNode.StartAsync();
        var copy = Path.Combine(node.Directory, "copy");
        try
        {
            await FaucetAsync(node.AdminChannel, 1);
            await FaucetAsync(node.AdminChannel, 2);
            await using (var follower = new RemoteBlockSource(node.Server.ClientUri, copy, NullLogger.Instance))
            {
                await WaitUntilAsync(() => follower.Ledger.NumBlocks == node.Server.Node.Read(l => l.NumBlocks), "the follower has every block");
                node.Server.Node.Read(ledger =>
                {
                    AssertSameChain(ledger, follower.Ledger);
                    return 0;
                });

                // New blocks reach a follower that is already following.
                using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                var followed = new List<ulong>();
                var reading = Task.Run(async () =>
                {
                    await foreach (var block in follower.FollowAsync(0, cancel.Token))
                    {
                        followed.Add(block.Block.Index);
                        if (block.Block.Index == 3)
                        {
                            break;
                        }
                    }
                });
                await FaucetAsync(node.AdminChannel, 3);
                await reading;
                Assert.Equal([0UL, 1, 2, 3], followed);
            }

            // More blocks while the follower is down; a new follower on the same copy resumes.
            await FaucetAsync(node.AdminChannel, 4);
            await FaucetAsync(node.AdminChannel, 5);
            await using (var resumed = new RemoteBlockSource(node.Server.ClientUri, copy, NullLogger.Instance))
            {
                await WaitUntilAsync(() => resumed.Ledger.NumBlocks == 6, "the resumed follower has every block");
                node.Server.Node.Read(ledger =>
                {
                    AssertSameChain(ledger, resumed.Ledger);
                    return 0;
                });
            }
        }
        finally
        {
            await node.DisposeAsync();
            node.DeleteDirectory();
        }
    }

    [Fact]
    public async Task Follower_refuses_a_chain_that_diverges_from_its_copy()
    {
        var directory = Directory.CreateTempSubdirectory("fog-follower-").FullName;
        try
        {
            var copy = Path.Combine(directory, "copy");
            await using (var first = await TestNode.StartAsync(Path.Combine(directory, "a")))
            {
                await using var follower = new RemoteBlockSource(first.Server.ClientUri, copy, NullLogger.Instance);
                await WaitUntilAsync(() => follower.Ledger.NumBlocks == 1, "the copy has the origin block");
            }

            // Another node has another origin block: the copy must not be extended with it.
            await using var other = await TestNode.StartAsync(Path.Combine(directory, "b"));
            await using var confused = new RemoteBlockSource(other.Server.ClientUri, copy, NullLogger.Instance);
            await WaitUntilAsync(() => confused.LastError is not null, "the follower reports the divergence");
            Assert.Contains("diverges", confused.LastError, StringComparison.Ordinal);
            Assert.Equal(1UL, confused.Ledger.NumBlocks);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Another_process_reads_the_ledger_while_the_node_writes_and_a_killed_node_leaves_no_partial_block()
    {
        var directory = Directory.CreateTempSubdirectory("fog-node-process-").FullName;
        var ledger = Path.Combine(directory, "ledger");
        try
        {
            using (var node = await NodeProcess.StartAsync(directory, ledger))
            {
                using var admin = GrpcChannel.ForAddress(node.AdminUri);
                await FaucetAsync(admin, 1);
                await using var source = new LocalBlockSource(ledger, TimeSpan.FromMilliseconds(20));
                await WaitUntilAsync(() => source.Ledger.NumBlocks == 2, "this process sees the node's block");

                // Keep paying while the node is killed.
                using var stop = new CancellationTokenSource();
                var paying = Task.Run(async () =>
                {
                    for (byte seed = 10; !stop.IsCancellationRequested; seed++)
                    {
                        try
                        {
                            await FaucetAsync(admin, seed);
                        }
                        catch (global::Grpc.Core.RpcException)
                        {
                            return;
                        }
                    }
                });
                await WaitUntilAsync(() => source.Ledger.NumBlocks >= 4, "a few more blocks");
                node.Kill();
                await stop.CancelAsync();
                await paying;
            }

            // Every block in the ledger is whole and chained; the node starts again on it.
            using (var store = LmdbLedgerStore.Open(ledger))
            {
                Assert.True(store.NumBlocks >= 4);
                var outputs = 0UL;
                for (ulong i = 0; i < store.NumBlocks; i++)
                {
                    var block = store.GetBlockData(i)!;
                    Assert.True(block.Block.IsIdValid);
                    Assert.True(block.Signature!.Verify(block.Block));
                    outputs += (ulong)block.Contents.Outputs.Count;
                    Assert.Equal(outputs, block.Block.CumulativeTxoCount);
                    if (i > 0)
                    {
                        Assert.Equal(store.GetBlockData(i - 1)!.Block.Id.ToArray(), block.Block.ParentId.ToArray());
                    }
                }

                Assert.Equal(outputs, store.NumTxOuts);
            }

            using (var restarted = await NodeProcess.StartAsync(directory, ledger))
            {
                using var admin = GrpcChannel.ForAddress(restarted.AdminUri);
                await FaucetAsync(admin, 99);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The real <c>fog serve node</c> executable as a child process on ephemeral ports.</summary>
    private sealed partial class NodeProcess : IDisposable
    {
        private readonly Process _process;

        private NodeProcess(Process process, Uri adminUri)
        {
            _process = process;
            AdminUri = adminUri;
        }

        public Uri AdminUri { get; }

        public static async Task<NodeProcess> StartAsync(string directory, string ledger)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[]
            {
                Path.Combine(AppContext.BaseDirectory, "fog.dll"), "serve", "node", "--ledger", ledger,
                "--simulation-root", Path.Combine(directory, "root.key"), "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0",
                "--metrics", "127.0.0.1:0", "--block-interval", "0.05",
            })
            {
                start.ArgumentList.Add(arg);
            }

            var process = Process.Start(start)!;
            _ = process.StandardError.ReadToEndAsync();
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline)
            {
                var line = await process.StandardOutput.ReadLineAsync();
                if (line is null)
                {
                    break;
                }

                if (AdminPattern().Match(line) is { Success: true } match)
                {
                    _ = process.StandardOutput.ReadToEndAsync();
                    return new NodeProcess(process, new Uri(match.Groups[1].Value));
                }
            }

            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException("fog serve node did not report its admin endpoint.");
        }

        public void Kill()
        {
            // SIGKILL: no shutdown hooks run, as in a crash.
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                Kill();
            }

            _process.Dispose();
        }

        [GeneratedRegex(@"\(admin (http://[^,]+),")]
        private static partial Regex AdminPattern();
    }
}
