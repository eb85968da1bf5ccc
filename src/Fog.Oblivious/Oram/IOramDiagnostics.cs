using Fog.Oblivious.Storage;

namespace Fog.Oblivious.Oram;

/// <summary>
/// VarTime introspection of a tree ORAM for tests and benchmarks. Everything here reveals secrets
/// (stash occupancy, block placement); never use it in production code paths.
/// </summary>
internal interface IOramDiagnostics
{
    /// <summary>The tree shape.</summary>
    OramGeometry Geometry { get; }

    /// <summary>Stash slots.</summary>
    int StashSize { get; }

    /// <summary>Called with the stash occupancy right after each insertion (the access's peak).</summary>
    Action<int>? VarTimeStashObserver { get; set; }

    /// <summary>Current stash occupancy.</summary>
    /// <returns>Occupied slots.</returns>
    int VarTimeStashOccupancy();

    /// <summary>Checks that every live block is on its leaf's branch and present once.</summary>
    /// <returns>Live blocks.</returns>
    long VarTimeCheckInvariant();
}
