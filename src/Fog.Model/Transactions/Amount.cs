namespace Fog.Model.Transactions;

/// <summary>A value of a token (MOB is token 0; values are in the token's smallest unit, picoMOB for MOB).</summary>
/// <param name="Value">The value.</param>
/// <param name="TokenId">The token id.</param>
public readonly record struct Amount(ulong Value, ulong TokenId)
{
    /// <summary>MOB's token id.</summary>
    public const ulong MobTokenId = 0;
}
