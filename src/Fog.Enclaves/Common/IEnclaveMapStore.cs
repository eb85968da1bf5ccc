namespace Fog.Enclaves.Common;

/// <summary>The oblivious map an <see cref="AttestedMapEnclave{TStore}"/> answers from, as far as the shared plumbing needs it.</summary>
internal interface IEnclaveMapStore : IDisposable
{
    /// <summary>Slots in the map (public).</summary>
    ulong Capacity { get; }

    /// <summary>Entries stored (public: the host loaded them).</summary>
    ulong Count { get; }
}
