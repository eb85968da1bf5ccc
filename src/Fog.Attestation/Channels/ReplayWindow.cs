namespace Fog.Attestation.Channels;

/// <summary>
/// A 64-message sliding replay window for explicit nonces (as in IPsec/DTLS): a nonce is fresh if it
/// is above the highest accepted one, or within 64 below it and not yet seen. Only nonces whose
/// messages authenticated are marked, so forgeries cannot move the window.
/// </summary>
internal struct ReplayWindow
{
    public const int Size = 64;

    private ulong _highest;
    private ulong _seen;
    private bool _any;

    public readonly bool IsFresh(ulong nonce)
    {
        if (!_any || nonce > _highest)
        {
            return true;
        }

        var behind = _highest - nonce;
        return behind < Size && (_seen & (1UL << (int)behind)) == 0;
    }

    public void Mark(ulong nonce)
    {
        if (!_any)
        {
            _any = true;
            _highest = nonce;
            _seen = 1;
        }
        else if (nonce > _highest)
        {
            var shift = nonce - _highest;
            _seen = shift >= Size ? 1 : (_seen << (int)shift) | 1;
            _highest = nonce;
        }
        else
        {
            _seen |= 1UL << (int)(_highest - nonce);
        }
    }
}
