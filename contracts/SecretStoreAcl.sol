// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title Secret Store ACL: per-document grants checked by every key server of a consensus.
/// @notice The first account to grant on a document becomes its owner; afterwards only the owner
///         may grant or revoke. checkPermissions (selector b36a9a7c) is the call the key servers make.
contract SecretStoreAcl {
    mapping(bytes32 => address) private owners;
    mapping(bytes32 => mapping(address => bool)) private granted;

    event OwnerSet(bytes32 indexed document, address indexed owner);
    event PermissionGranted(bytes32 indexed document, address indexed user, address indexed by);
    event PermissionRevoked(bytes32 indexed document, address indexed user, address indexed by);

    error NotOwner(bytes32 document, address caller, address owner);

    /// @return true when user owns the document or has been granted access to it
    function checkPermissions(address user, bytes32 document) external view returns (bool) {
        address o = owners[document];
        return (o != address(0) && o == user) || granted[document][user];
    }

    /// @return the document's owner, the zero address when nobody granted on it yet
    function owner(bytes32 document) external view returns (address) {
        return owners[document];
    }

    function grantPermission(bytes32 document, address user) external {
        _claimOrRequireOwner(document);
        granted[document][user] = true;
        emit PermissionGranted(document, user, msg.sender);
    }

    function revokePermission(bytes32 document, address user) external {
        address o = owners[document];
        if (o != msg.sender) revert NotOwner(document, msg.sender, o);
        granted[document][user] = false;
        emit PermissionRevoked(document, user, msg.sender);
    }

    function _claimOrRequireOwner(bytes32 document) private {
        address o = owners[document];
        if (o == address(0)) {
            owners[document] = msg.sender;
            emit OwnerSet(document, msg.sender);
        } else if (o != msg.sender) {
            revert NotOwner(document, msg.sender, o);
        }
    }
}
