using Fog.Crypto.Merlin;

namespace Fog.Crypto.Tests;

public class MerlinTranscriptTests
{
    [Fact]
    public void Challenge_matches_the_merlin_conformance_value()
    {
        // merlin 3.0's own conformance test (transcript.rs, "equivalence_simple").
        var transcript = new MerlinTranscript("test protocol"u8);
        transcript.AppendMessage("some label"u8, "some data"u8);
        var challenge = new byte[32];
        transcript.ChallengeBytes("challenge"u8, challenge);

        Assert.Equal("d5a21972d0d5fe320c0d263fac7fffb8145aa640af6e9bca177c03c7efcf0615", Convert.ToHexStringLower(challenge));
    }

    [Fact]
    public void Long_messages_cross_the_sponge_rate_consistently()
    {
        // merlin's "equivalence_complex" conformance test: messages longer than the rate, several challenges.
        var transcript = new MerlinTranscript("test protocol"u8);
        var data = new byte[1024];
        data.AsSpan().Fill(99);
        var challenge = new byte[32];
        transcript.AppendMessage("step1"u8, "some data"u8);
        for (var i = 0; i < 32; i++)
        {
            transcript.ChallengeBytes("challenge"u8, challenge);
            transcript.AppendMessage("bigdata"u8, data);
            transcript.AppendMessage("challengedata"u8, challenge);
        }

        Assert.Equal("a8c933f54fae76e3f9bea93648c1308e7dfa2152dd51674ff3ca438351cf003c", Convert.ToHexStringLower(challenge));
    }

    [Fact]
    public void Clone_continues_independently()
    {
        var a = new MerlinTranscript("x"u8);
        a.AppendMessage("m"u8, "1"u8);
        var b = a.Clone();
        a.AppendMessage("m"u8, "2"u8);
        b.AppendMessage("m"u8, "2"u8);
        var ca = new byte[16];
        var cb = new byte[16];
        a.ChallengeBytes("c"u8, ca);
        b.ChallengeBytes("c"u8, cb);
        Assert.Equal(ca, cb);

        b.AppendMessage("m"u8, "3"u8);
        a.ChallengeBytes("c"u8, ca);
        b.ChallengeBytes("c"u8, cb);
        Assert.NotEqual(ca, cb);
    }
}
